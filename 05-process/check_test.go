//go:build exercise && !bonus

package main

import (
	"testing"

	"example.com/spawning/miniredis/miniredistest"
)

// TestVet runs go vet over your code with all of its checks. It is in
// the file that sorts first among those with the chapter's tests, so it
// runs before them.
func TestVet(t *testing.T) { miniredistest.Vet(t, "exercise") }
