//go:build exercise

package main

import (
	"testing"

	"example.com/spawning/miniredis/miniredistest"
)

// TestVet runs go vet over your code with all of its checks.
func TestVet(t *testing.T) { miniredistest.Vet(t, "exercise") }
