package main

import (
	"runtime"
	"testing"

	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/assert"
)

func TestLifetimes(t *testing.T) {
	t.Run("a goroutine still sees its caller's local variable after the caller returned", func(t *testing.T) {
		start := make(chan struct{})
		out := make(chan []int)
		spawnWithLocal(start, out)

		// spawnWithLocal has returned. A collection now would free v if
		// nothing held it; the goroutine's closure does.
		runtime.GC()
		close(start)

		assert.Equal(t, []int{1, 2, 3}, miniredistest.Receive(t, out))
	})
}
