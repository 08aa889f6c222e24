//go:build exercise

package race

// Count adds one to n from each of two goroutines.
func Count() int {
	n := 0
	done := make(chan bool)
	for range 2 {
		go func() {
			// TODO: guard n with a mutex.
			n++
			done <- true
		}()
	}
	<-done
	<-done
	return n
}
