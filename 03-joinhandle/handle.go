package main

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
)

// Handle is a goroutine whose result can be waited for: the Go counterpart
// of Tokio's JoinHandle, which the go statement does not give you.
// Spawn returns one.
type Handle[T any] struct {
	cancel context.CancelFunc
	done   chan struct{}

	// val and err are written once, by the task's goroutine, before done
	// is closed; Join reads them after done is closed.
	val T
	err error
}

// Spawn runs f in a new goroutine, the counterpart of tokio::spawn, and
// returns a Handle to its result. The context f receives is derived from
// ctx and is cancelled when ctx is, when Abort is called, or when f has
// returned.
func Spawn[T any](ctx context.Context, f func(ctx context.Context) (T, error)) *Handle[T] {
	ctx, cancel := context.WithCancel(ctx)
	h := &Handle[T]{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(h.done)
		defer cancel()
		// A panic would otherwise end the whole program. Here it ends only
		// this task, and Join hands it to the caller as a *PanicError, as
		// Tokio hands back a JoinError. A task that neither panics nor
		// returns called runtime.Goexit; returned tells the two apart, so
		// that Join reports an error rather than a zero value.
		returned := false
		defer func() {
			if v := recover(); v != nil {
				h.err = &PanicError{Value: v, Stack: debug.Stack()}
			} else if !returned {
				h.err = errGoexit
			}
		}()
		h.val, h.err = f(ctx)
		returned = true
	}()
	return h
}

// Join waits for the task to finish and returns what f returned, the
// counterpart of awaiting a JoinHandle. If f panicked, the error is a
// *PanicError. If f stopped because its context was cancelled and returned
// ctx.Err(), errors.Is(err, context.Canceled) reports true.
//
// Unlike a JoinHandle, a Handle may be joined any number of times, from
// any goroutine; every call returns the same result.
func (h *Handle[T]) Join() (T, error) {
	<-h.done
	return h.val, h.err
}

// Done returns a channel that is closed when the task has finished, so a
// select can wait for it alongside other things, such as a timeout.
func (h *Handle[T]) Done() <-chan struct{} {
	return h.done
}

// Abort cancels the task's context, the counterpart of JoinHandle::abort.
// Cancellation in Go is cooperative: f stops only when it sees ctx.Done()
// and returns. Abort does not wait for that; Join does. Calling Abort after
// the task has finished changes nothing.
func (h *Handle[T]) Abort() {
	h.cancel()
}

// PanicError is the error Join returns when the task panicked, the
// counterpart of a JoinError for which is_panic is true. Use errors.As to
// get at it.
type PanicError struct {
	// Value is what the task passed to panic.
	Value any
	// Stack is the task's stack trace at the moment it panicked.
	Stack []byte
}

// Error says that the task panicked, and with what.
func (e *PanicError) Error() string {
	return fmt.Sprintf("task panicked: %v", e.Value)
}

// Unwrap returns the panic value if it is an error, so that errors.Is and
// errors.As see through a panic(err).
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// errGoexit is what Join returns when f called runtime.Goexit, which ends a
// goroutine without a panic and without returning.
var errGoexit = errors.New("task called runtime.Goexit")
