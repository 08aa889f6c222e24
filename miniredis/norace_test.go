//go:build !race

package miniredis

const raceEnabled = false
