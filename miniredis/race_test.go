//go:build race

package miniredis

// raceEnabled is true under the race detector, which makes sync.Pool drop
// some of what is put in it, so allocation counts mean nothing there.
const raceEnabled = true
