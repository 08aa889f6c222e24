package main

// d) JoinError. A panic in a goroutine ends the whole Go program, where
// Tokio turns it into an error for whoever awaits the handle; Spawn does
// the same with recover. A cancelled task is a context that was cancelled.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ExampleSpawn() {
	handle := Spawn(context.Background(), func(ctx context.Context) (string, error) {
		// Do some work.
		return "return value", nil
	})

	out, err := handle.Join()
	if err != nil {
		fmt.Println("task failed:", err)
		return
	}
	fmt.Println("GOT", out)
	// Output: GOT return value
}

func ExamplePanicError() {
	handle := Spawn(context.Background(), func(ctx context.Context) (string, error) {
		var names []string
		return names[0], nil // index out of range
	})

	_, err := handle.Join()
	var perr *PanicError
	if errors.As(err, &perr) {
		fmt.Println("the task panicked:", perr.Value)
	}
	fmt.Println("and the program goes on")
	// Output:
	// the task panicked: runtime error: index out of range [0] with length 0
	// and the program goes on
}

func ExampleHandle_Abort() {
	handle := Spawn(context.Background(), func(ctx context.Context) (int, error) {
		// Stand-in for work that takes a long time: it ends only when
		// the task is cancelled.
		<-ctx.Done()
		return 0, ctx.Err()
	})

	handle.Abort()
	_, err := handle.Join()
	fmt.Println(err)
	fmt.Println("cancelled:", errors.Is(err, context.Canceled))
	// Output:
	// context canceled
	// cancelled: true
}

func TestSpawn(t *testing.T) {
	t.Run("Join returns the task's value", func(t *testing.T) {
		h := Spawn(t.Context(), func(ctx context.Context) (int, error) { return 42, nil })
		got, err := h.Join()
		require.NoError(t, err)
		assert.Equal(t, 42, got)
	})

	t.Run("Join returns the task's error", func(t *testing.T) {
		h := Spawn(t.Context(), func(ctx context.Context) (int, error) { return 0, io.ErrUnexpectedEOF })
		_, err := h.Join()
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	})

	t.Run("a panic comes back from Join as a *PanicError with its value and stack", func(t *testing.T) {
		h := Spawn(t.Context(), func(ctx context.Context) (string, error) { panic("boom") })
		got, err := h.Join()

		var perr *PanicError
		require.ErrorAs(t, err, &perr)
		assert.Equal(t, "boom", perr.Value)
		assert.Equal(t, "task panicked: boom", err.Error())
		// The stack shows where the panic happened: in this test.
		assert.Contains(t, string(perr.Stack), "handle_test.go")
		assert.Empty(t, got)
		// Reaching this line is the point: the program is still running.
	})

	t.Run("a panic with an error value unwraps to that error", func(t *testing.T) {
		h := Spawn(t.Context(), func(ctx context.Context) (int, error) { panic(io.ErrClosedPipe) })
		_, err := h.Join()
		assert.ErrorIs(t, err, io.ErrClosedPipe)

		h = Spawn(t.Context(), func(ctx context.Context) (int, error) {
			var p *int
			return *p, nil
		})
		_, err = h.Join()
		var rerr runtime.Error
		assert.ErrorAs(t, err, &rerr, "a nil dereference panics with a runtime.Error")
	})

	t.Run("an aborted task reports context.Canceled", func(t *testing.T) {
		h := Spawn(t.Context(), func(ctx context.Context) (int, error) {
			<-ctx.Done()
			return 0, ctx.Err()
		})
		h.Abort()
		_, err := h.Join()
		assert.ErrorIs(t, err, context.Canceled)
	})

	t.Run("cancelling the parent context cancels the task", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		h := Spawn(ctx, func(ctx context.Context) (int, error) {
			<-ctx.Done()
			return 0, ctx.Err()
		})
		cancel()
		_, err := h.Join()
		assert.ErrorIs(t, err, context.Canceled)
	})

	t.Run("Abort after the task finished changes nothing", func(t *testing.T) {
		h := Spawn(t.Context(), func(ctx context.Context) (int, error) { return 7, nil })
		miniredistest.Receive(t, h.Done())
		h.Abort()
		got, err := h.Join()
		require.NoError(t, err)
		assert.Equal(t, 7, got)
	})

	t.Run("Done is closed only once the task has finished", func(t *testing.T) {
		release := make(chan struct{})
		h := Spawn(t.Context(), func(ctx context.Context) (int, error) {
			<-release
			return 1, nil
		})
		select {
		case <-h.Done():
			t.Fatal("Done closed while the task was still blocked")
		default:
		}
		close(release)
		miniredistest.Receive(t, h.Done())
	})

	t.Run("Join may be called many times, from many goroutines", func(t *testing.T) {
		h := Spawn(t.Context(), func(ctx context.Context) (string, error) { return "same", nil })
		results := make([]string, 10)
		joiners := make([]*Handle[string], len(results))
		for i := range joiners {
			joiners[i] = Spawn(t.Context(), func(ctx context.Context) (string, error) { return h.Join() })
		}
		for i, j := range joiners {
			var err error
			results[i], err = j.Join()
			require.NoError(t, err)
		}
		for _, r := range results {
			assert.Equal(t, "same", r)
		}
	})

	t.Run("a task that calls runtime.Goexit reports an error, not a zero value", func(t *testing.T) {
		h := Spawn(t.Context(), func(ctx context.Context) (int, error) {
			runtime.Goexit()
			return 1, nil
		})
		_, err := h.Join()
		assert.EqualError(t, err, "task called runtime.Goexit")
	})

	t.Run("the task's context is cancelled once it returns", func(t *testing.T) {
		var taskCtx context.Context
		h := Spawn(t.Context(), func(ctx context.Context) (int, error) {
			taskCtx = ctx
			return 0, nil
		})
		_, err := h.Join()
		require.NoError(t, err)
		assert.ErrorIs(t, taskCtx.Err(), context.Canceled)
	})
}

// panickingGoroutine is the program TestUnrecoveredPanic runs: one
// goroutine panics, and nothing recovers it.
func panickingGoroutine() {
	go func() { panic("boom") }()
	select {}
}

func TestUnrecoveredPanic(t *testing.T) {
	t.Run("a panic in a plain goroutine ends the whole program", func(t *testing.T) {
		cmd, stderr := runSelf(t, "panicking-goroutine")
		var out strings.Builder
		for stderr.Scan() {
			out.WriteString(stderr.Text() + "\n")
		}
		err := cmd.Wait()

		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit)
		assert.Equal(t, 2, exit.ExitCode(), "Go exits with status 2 on an unrecovered panic")
		assert.Contains(t, out.String(), "panic: boom")
	})
}
