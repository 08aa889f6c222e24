//go:build racy

// The code in this file is wrong on purpose: it shares memory between
// goroutines with nothing to order their accesses. The build tag keeps it
// out of every ordinary build, vet and test run; race_test.go runs it
// with -race -tags racy to show the race detector catching it.

package main

import (
	"runtime"
	"sync"
)

// racyCount is countConcurrently with a plain n++, written out as the read
// and the write it is made of. It compiles and vet accepts it, where Tokio
// would have refused to send &mut n to another task.
//
// Between the read and the write, another goroutine may write n, and its
// count is then written over. On a machine with several cores that can
// happen between any two instructions, but the gap is so narrow that a
// plain n++ often gives the right total. runtime.Gosched, a point where
// the scheduler runs another goroutine, holds the gap open, so that the
// lost counts show on every run and on any machine.
func racyCount(goroutines, times int) int64 {
	var n int64
	countConcurrently(goroutines, times, func() {
		v := n
		runtime.Gosched()
		n = v + 1
	})
	return n
}

// racyTally writes one tally from several goroutines without a lock: a
// map, which is not safe for concurrent use, shared as if it were.
func racyTally(words []string) tally {
	t := tally{}
	var wg sync.WaitGroup
	for _, w := range words {
		wg.Go(func() { t[w]++ })
	}
	wg.Wait()
	return t
}
