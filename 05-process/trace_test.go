package main

import (
	"context"
	"net"
	"testing"

	"example.com/spawning/miniredis/miniredistest"
)

// TestTrace plays a pipeline against the chapter's server for `go run
// ./workshop trace 05`: ten SETs and ten GETs in one write. It runs only
// under go test -trace.
func TestTrace(t *testing.T) {
	miniredistest.Pipeline(t, func(ctx context.Context, ln net.Listener) error {
		return newServer(miniredistest.Timeout).serve(ctx, ln)
	})
}
