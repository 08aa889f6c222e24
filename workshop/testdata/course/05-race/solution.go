//go:build !exercise

package race

import "sync"

// Count adds one to n from each of two goroutines.
func Count() int {
	var mu sync.Mutex
	n := 0
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			mu.Lock()
			n++
			mu.Unlock()
		})
	}
	wg.Wait()
	return n
}
