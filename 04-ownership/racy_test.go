//go:build racy

package main

import "testing"

// The racy tests only run the racy code: they pass without -race, however
// wrong the result, and fail with it. TestRaceDetector runs them.

func TestRacyCounter(t *testing.T) {
	const goroutines, times = 4, 1000
	t.Logf("counted %d of %d", racyCount(goroutines, times), goroutines*times)
}

func TestRacyTally(t *testing.T) {
	t.Logf("tally %v", racyTally([]string{"a", "b", "c", "d"}))
}
