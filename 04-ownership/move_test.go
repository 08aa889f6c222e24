package main

import (
	"slices"
	"testing"

	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/assert"
)

func TestMove(t *testing.T) {
	t.Run("an argument is copied at the go statement, a captured variable is shared", func(t *testing.T) {
		captured, copied := captureAndCopy()
		assert.Equal(t, 2, captured, "the closure sees the caller's later change")
		assert.Equal(t, 1, copied, "the argument keeps the value it had at the go statement")
	})

	t.Run("each goroutine spawned in a loop sees its own loop variable", func(t *testing.T) {
		const n = 100
		seen := make(chan int, n)
		for i := range n {
			go func() { seen <- i }()
		}
		var got []int
		for range n {
			got = append(got, miniredistest.Receive(t, seen))
		}
		slices.Sort(got)
		want := make([]int, n)
		for i := range want {
			want[i] = i
		}
		assert.Equal(t, want, got, "every value from 0 to 99 exactly once")
	})

	t.Run("goroutines that capture the range variables fill their own results", func(t *testing.T) {
		assert.Equal(t, []int{1, 4, 9, 16, 25}, squares([]int{1, 2, 3, 4, 5}))
	})

	t.Run("a copied slice still shares its elements; slices.Clone hands over its own", func(t *testing.T) {
		v := []int{1, 2, 3}
		start := make(chan struct{})
		shared, cloned := make(chan []int), make(chan []int)
		go func(v []int) {
			<-start
			shared <- v
		}(v)
		go func(v []int) {
			<-start
			cloned <- v
		}(slices.Clone(v))
		v[0] = 100
		close(start)
		assert.Equal(t, []int{100, 2, 3}, miniredistest.Receive(t, shared), "the copy is of the slice header, not of the array")
		assert.Equal(t, []int{1, 2, 3}, miniredistest.Receive(t, cloned))
	})
}
