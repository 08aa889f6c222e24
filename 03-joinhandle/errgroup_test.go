package main

// c) errgroup.Group: a WaitGroup that also carries the first error,
// cancels the other tasks through a context, and can bound how many run
// at once. It is the nearest thing Go has to a tokio::task::JoinSet.

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

func Example_errgroup() {
	var g errgroup.Group
	names := []string{"a", "b", "c"}
	greetings := make([]string, len(names))
	for i, name := range names {
		g.Go(func() error {
			greetings[i] = "hello " + name
			return nil
		})
	}
	// Wait waits for every task, like WaitGroup.Wait, and returns the
	// first error any of them returned.
	if err := g.Wait(); err != nil {
		fmt.Println("failed:", err)
		return
	}
	fmt.Println(greetings)
	// Output: [hello a hello b hello c]
}

func Example_errgroupWithContext() {
	g, ctx := errgroup.WithContext(context.Background())
	g.Go(func() error {
		return errors.New("the first task failed")
	})
	g.Go(func() error {
		// This task would run for ever; the first error cancels ctx.
		<-ctx.Done()
		return ctx.Err()
	})
	fmt.Println(g.Wait())
	// Output: the first task failed
}

func TestErrgroup(t *testing.T) {
	t.Run("Wait returns nil when every task succeeds", func(t *testing.T) {
		var g errgroup.Group
		var n atomic.Int64
		for range 100 {
			g.Go(func() error {
				n.Add(1)
				return nil
			})
		}
		require.NoError(t, g.Wait())
		assert.EqualValues(t, 100, n.Load())
	})

	t.Run("the first error wins and cancels the other tasks", func(t *testing.T) {
		errFirst := errors.New("first")
		g, ctx := errgroup.WithContext(t.Context())

		// The second task can only return after the first error has
		// cancelled ctx, so which error comes first is not left to chance.
		var sawCancel error
		g.Go(func() error {
			<-ctx.Done()
			sawCancel = ctx.Err()
			return errors.New("second")
		})
		g.Go(func() error { return errFirst })

		assert.Same(t, errFirst, g.Wait())
		// Wait returned, so the task's write is visible here.
		assert.ErrorIs(t, sawCancel, context.Canceled)
		assert.Same(t, errFirst, context.Cause(ctx), "the cause of the cancellation is the first error")
	})

	t.Run("Wait waits for every task, even after an error", func(t *testing.T) {
		var g errgroup.Group
		release := make(chan struct{})
		var finished atomic.Bool
		g.Go(func() error {
			<-release
			finished.Store(true)
			return nil
		})
		g.Go(func() error {
			close(release)
			return errors.New("fail")
		})
		require.Error(t, g.Wait())
		assert.True(t, finished.Load())
	})

	t.Run("SetLimit bounds how many tasks run at once", func(t *testing.T) {
		const limit, total = 3, 20
		var g errgroup.Group
		g.SetLimit(limit)

		var running, most atomic.Int64
		started := make(chan struct{}, total)
		release := make(chan struct{})
		task := func() error {
			now := running.Add(1)
			for {
				m := most.Load()
				if now <= m || most.CompareAndSwap(m, now) {
					break
				}
			}
			started <- struct{}{}
			<-release
			running.Add(-1)
			return nil
		}

		// Go blocks while the limit is reached, so the tasks are started
		// from a goroutine of their own.
		spawned := make(chan struct{})
		go func() {
			defer close(spawned)
			for range total {
				g.Go(task)
			}
		}()

		// limit tasks are now running at once, each blocked on release.
		for range limit {
			miniredistest.Receive(t, started)
		}
		// No slot is free, so one more task is refused.
		assert.False(t, g.TryGo(task), "TryGo started a task beyond the limit")

		close(release)
		miniredistest.Receive(t, spawned)
		require.NoError(t, g.Wait())
		assert.EqualValues(t, limit, most.Load(), "most tasks running at once")
	})
}
