package main

import (
	"testing"
	"time"

	"example.com/spawning/miniredis/miniredistest"
)

// receive returns the next value from ch, failing the test if none comes
// within miniredistest.Timeout: an upper bound on something that must
// happen, never a way to wait.
func receive[T any](t testing.TB, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(miniredistest.Timeout):
		t.Fatalf("nothing received within %v", miniredistest.Timeout)
		var zero T
		return zero
	}
}
