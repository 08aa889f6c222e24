//go:build exercise && bonus

package main

import (
	"testing"

	"example.com/spawning/miniredis/miniredistest"
)

// TestBonusVet runs go vet over your store with all of its checks, before
// the bonus's tests: a store whose methods copy it, mutex and all, which
// vet names exactly, would otherwise show as a data race.
func TestBonusVet(t *testing.T) { miniredistest.Vet(t, "exercise,bonus") }
