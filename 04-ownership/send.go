package main

import (
	"sync"
	"sync/atomic"
)

// mutexCounter is a counter that many goroutines may increment. The mutex
// makes each n++ happen whole, one goroutine at a time.
type mutexCounter struct {
	mu sync.Mutex
	n  int64
}

func (c *mutexCounter) inc() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
}

func (c *mutexCounter) value() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// countConcurrently runs inc from goroutines goroutines, each calling it
// times times, and returns when all of them are done.
//
// Tokio checks at compile time that what a task holds is Send, that is,
// safe to hand to another thread. Go checks nothing: inc could be a plain
// n++ and this would compile and run, and lose counts on some runs only.
// The race detector (go test -race) is what finds that, at run time; see
// racy.go.
func countConcurrently(goroutines, times int, inc func()) {
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range times {
				inc()
			}
		})
	}
	wg.Wait()
}

// atomicCount counts with sync/atomic instead of a mutex: for one number,
// an atomic add is all it takes.
func atomicCount(goroutines, times int) int64 {
	var n atomic.Int64
	countConcurrently(goroutines, times, func() { n.Add(1) })
	return n.Load()
}
