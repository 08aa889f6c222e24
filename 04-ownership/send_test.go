package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSend(t *testing.T) {
	const goroutines, times = 100, 1000

	t.Run("a counter guarded by a mutex loses no increment", func(t *testing.T) {
		var c mutexCounter
		countConcurrently(goroutines, times, c.inc)
		assert.Equal(t, int64(goroutines*times), c.value())
	})

	t.Run("an atomic counter loses no increment", func(t *testing.T) {
		assert.Equal(t, int64(goroutines*times), atomicCount(goroutines, times))
	})
}
