package main

import "sync"

// tally counts words. It is a plain map: cheap, and not safe for
// concurrent use. One goroutine may use it freely; two may not, if either
// writes. In Rust terms it is like a RefCell, which is not Sync: fine
// inside one task, refused by rustc when shared between tasks. Go compiles
// a shared tally without a word (see racy.go).
type tally map[string]int

// ownedTally confines a tally to one goroutine, its owner, and lets any
// other goroutine use it by sending the owner an operation to run. This is
// the counterpart of Tokio's fix for Rc, scoping the value so that only
// one task can touch it; the map itself never leaves its goroutine.
type ownedTally struct {
	ops  chan func(tally)
	done chan struct{}
}

func newOwnedTally() *ownedTally {
	o := &ownedTally{ops: make(chan func(tally)), done: make(chan struct{})}
	go func() {
		defer close(o.done)
		t := tally{}
		for op := range o.ops {
			op(t)
		}
	}()
	return o
}

func (o *ownedTally) add(word string) {
	o.ops <- func(t tally) { t[word]++ }
}

func (o *ownedTally) count(word string) int {
	reply := make(chan int)
	o.ops <- func(t tally) { reply <- t[word] }
	return <-reply
}

// close stops the owner goroutine and waits for it to end. No method may
// be called after close.
func (o *ownedTally) close() {
	close(o.ops)
	<-o.done
}

// lockedTally is the other fix: the tally stays shared, and a mutex
// guards every use of it, reads included.
type lockedTally struct {
	mu sync.Mutex
	t  tally
}

func (l *lockedTally) add(word string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.t[word]++
}

func (l *lockedTally) count(word string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.t[word]
}
