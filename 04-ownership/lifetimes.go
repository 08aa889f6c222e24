package main

// spawnWithLocal starts a goroutine that uses v, a local variable of this
// function, and returns at once, before the goroutine has looked at v.
// The goroutine waits for start, then sends what it sees on out.
//
// Tokio refuses the same code: a spawned task must be 'static, so it may
// not borrow v from a function that can return first. Go accepts it: the
// closure captures v, escape analysis sees that v's elements outlive the
// call and puts them on the heap, and the garbage collector frees them
// once the goroutine is done with them.
func spawnWithLocal(start <-chan struct{}, out chan<- []int) {
	v := []int{1, 2, 3}
	go func() {
		<-start
		out <- v
	}()
}
