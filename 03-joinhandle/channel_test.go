package main

// a) A channel carrying a goroutine's result: the direct counterpart of
// awaiting a JoinHandle. The go statement returns nothing, so the
// goroutine sends its result and the caller receives it.

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func Example_channel() {
	// A buffer of one lets the goroutine send and finish even if nobody
	// ever receives, as a Tokio task runs to its end when its handle is
	// dropped.
	result := make(chan string, 1)
	go func() {
		// Do some work.
		result <- "return value"
	}()

	// Receiving is handle.await: it waits for the goroutine's result.
	out := <-result
	fmt.Println("GOT", out)
	// Output: GOT return value
}

// result is what a goroutine sends when it can fail: the pair a
// JoinHandle's Result carries.
type result[T any] struct {
	val T
	err error
}

func Example_channelWithError() {
	parse := func(s string) <-chan result[int] {
		ch := make(chan result[int], 1)
		go func() {
			n, err := strconv.Atoi(s)
			ch <- result[int]{n, err}
		}()
		return ch
	}

	// Both goroutines run at once; each receive waits for its own.
	a, b := parse("42"), parse("forty-two")
	ra, rb := <-a, <-b
	fmt.Println(ra.val, ra.err)
	fmt.Println(rb.val, rb.err)
	// Output:
	// 42 <nil>
	// 0 strconv.Atoi: parsing "forty-two": invalid syntax
}

func TestChannel(t *testing.T) {
	t.Run("the receive waits for the goroutine's value", func(t *testing.T) {
		release := make(chan struct{})
		ch := make(chan int, 1)
		go func() {
			<-release
			ch <- 42
		}()
		select {
		case <-ch:
			t.Fatal("received before the goroutine sent")
		default:
		}
		close(release)
		assert.Equal(t, 42, <-ch)
	})

	t.Run("an error travels with the value", func(t *testing.T) {
		errBoom := errors.New("boom")
		ch := make(chan result[int], 1)
		go func() { ch <- result[int]{err: errBoom} }()
		r := <-ch
		assert.ErrorIs(t, r.err, errBoom)
	})

	t.Run("with a buffer of one the goroutine finishes though nobody receives", func(t *testing.T) {
		// With an unbuffered channel the send would block for ever, the
		// goroutine would never finish, and Wait would never return.
		ch := make(chan int, 1)
		var wg sync.WaitGroup
		wg.Go(func() { ch <- 42 })
		wg.Wait()
		require.Len(t, ch, 1)
	})
}
