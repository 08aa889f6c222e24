//go:build exercise && !race

package main

import "testing"

// This chapter's mistake, a value changed by many goroutines without a
// lock, is found by the race detector, which only a -race build has.
func TestCheckNeedsTheRaceDetector(t *testing.T) {
	t.Fatal("run this chapter's check with the race detector on: go test -race -tags exercise ./04-ownership")
}
