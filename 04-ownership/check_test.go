//go:build exercise

package main

import (
	"testing"

	"example.com/spawning/miniredis/miniredistest"
)

// TestVet runs go vet over your code with all of its checks. It is in
// the file that sorts first among those with the chapter's tests, so it
// runs before them: a lock or a WaitGroup copied by value, which vet names
// exactly, would otherwise show first as a wait or a race.
func TestVet(t *testing.T) { miniredistest.Vet(t, "exercise") }
