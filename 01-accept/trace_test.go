package main

import (
	"context"
	"net"
	"testing"

	"example.com/spawning/miniredis/miniredistest"
)

// TestTrace plays the chapter's scenario, a silent client A and two
// clients B and C that ask after it, for `go run ./workshop trace 01`,
// which draws the server's goroutines from the trace. It runs only under
// go test -trace.
func TestTrace(t *testing.T) {
	miniredistest.SilentClient(t, func(_ context.Context, ln net.Listener) error { return serve(ln) })
}
