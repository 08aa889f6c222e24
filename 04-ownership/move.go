package main

import "sync"

// captureAndCopy starts two goroutines that both report x once start is
// closed. The first captures x in its closure; the second is handed x as
// an argument. Then it changes x, and closes start.
//
// Arguments of a go statement are evaluated when it runs, so the second
// goroutine owns a copy taken before the change: that is Tokio's move. The
// first shares the variable with its caller and sees the change. Here the
// change happens before start is closed, so it is ordered; had both sides
// run freely, the shared variable would be a data race.
func captureAndCopy() (captured, copied int) {
	x := 1
	start := make(chan struct{})
	out1, out2 := make(chan int), make(chan int)
	go func() {
		<-start
		out1 <- x
	}()
	go func(x int) {
		<-start
		out2 <- x
	}(x)
	x = 2
	close(start)
	return <-out1, <-out2
}

// squares squares each number in a goroutine of its own. Every closure
// captures the loop variables i and n; since Go 1.22 each iteration has
// its own, so every goroutine sees its own pair and needs no copy.
// Each one writes a different element of results, which needs no lock.
func squares(nums []int) []int {
	results := make([]int, len(nums))
	var wg sync.WaitGroup
	for i, n := range nums {
		wg.Go(func() { results[i] = n * n })
	}
	wg.Wait()
	return results
}
