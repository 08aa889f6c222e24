//go:build bonus && exercise && !race

package main

import "testing"

// The bonus's mistake, a map used by many goroutines without a lock, is
// found by the race detector, which only a -race build has.
func TestBonusNeedsTheRaceDetector(t *testing.T) {
	t.Fatal("run the bonus's check with the race detector on: go test -race -tags exercise,bonus -run Bonus ./05-process")
}
