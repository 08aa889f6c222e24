//go:build racy

// The code in this file is wrong on purpose: it shares memory between
// goroutines with nothing to order their accesses. The build tag keeps it
// out of every ordinary build, vet and test run; race_test.go runs it
// with -race -tags racy to show the race detector catching it.

package main

import "sync"

// racyCount is countConcurrently with a plain n++. It compiles and vet
// accepts it, where Tokio would have refused to send &mut n to another
// task. Two goroutines can read the same n and both write n+1, so counts
// get lost.
func racyCount(goroutines, times int) int64 {
	var n int64
	countConcurrently(goroutines, times, func() { n++ })
	return n
}

// racyTally writes one tally from several goroutines without a lock: a
// plain map shared as if it were safe, the Rc mistake.
func racyTally(words []string) tally {
	t := tally{}
	var wg sync.WaitGroup
	for _, w := range words {
		wg.Go(func() { t[w]++ })
	}
	wg.Wait()
	return t
}
