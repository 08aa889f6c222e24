package main

import (
	"context"
	"net"
	"testing"

	"example.com/spawning/miniredis"
	"example.com/spawning/miniredis/miniredistest"
)

// TestTrace plays the scenario of 01 and 02 against the chapter's server
// for `go run ./workshop trace 04`: a silent client A, then B and C. Every
// connection's goroutine takes the lock to count its client. It runs only
// under go test -trace.
func TestTrace(t *testing.T) {
	miniredistest.SilentClient(t, func(ctx context.Context, ln net.Listener) error {
		return newServer(miniredistest.Timeout).serve(ctx, ln)
	})
}

// TestTraceLockAcrossIO is TestTrace against the mistake the chapter
// warns of, for `go run ./workshop trace 04-io`: each connection's
// goroutine holds the server's mutex while it waits for its client.
func TestTraceLockAcrossIO(t *testing.T) {
	miniredistest.SilentClient(t, func(ctx context.Context, ln net.Listener) error {
		s := newServer(miniredistest.Timeout)
		s.handler = func(c *miniredis.Connection, client int) {
			s.mu.Lock()
			defer s.mu.Unlock()
			process(c, client)
		}
		return s.serve(ctx, ln)
	})
}
