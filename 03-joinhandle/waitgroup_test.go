package main

// b) sync.WaitGroup for many tasks: the counterpart of keeping every
// JoinHandle in a Vec and awaiting each one. A WaitGroup carries no
// results, so each goroutine writes its own slot of a slice.

import (
	"fmt"
	"sync"
	"testing"

	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/assert"
)

func Example_waitGroup() {
	inputs := []int{1, 2, 3, 4, 5}
	squares := make([]int, len(inputs))

	var wg sync.WaitGroup
	for i, n := range inputs {
		// WaitGroup.Go counts the goroutine in before starting it and out
		// when it returns. Each goroutine owns squares[i] and nothing else,
		// so no lock is needed.
		wg.Go(func() {
			squares[i] = n * n
		})
	}
	// Wait returns once every goroutine has returned; their writes are
	// visible from here on.
	wg.Wait()
	fmt.Println(squares)
	// Output: [1 4 9 16 25]
}

func TestWaitGroup(t *testing.T) {
	t.Run("every result of a thousand goroutines is there after Wait", func(t *testing.T) {
		const n = 1000
		results := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { results[i] = i + 1 })
		}
		wg.Wait()
		for i, r := range results {
			if !assert.Equal(t, i+1, r, "results[%d]", i) {
				break
			}
		}
	})

	t.Run("Wait does not return while a goroutine is still running", func(t *testing.T) {
		release := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {})
		wg.Go(func() { <-release })

		waited := make(chan struct{})
		go func() {
			wg.Wait()
			close(waited)
		}()
		select {
		case <-waited:
			t.Fatal("Wait returned while a goroutine was blocked")
		default:
		}
		close(release)
		miniredistest.Receive(t, waited)
	})
}
