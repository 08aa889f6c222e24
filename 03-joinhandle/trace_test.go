package main

import (
	"context"
	"net"
	"runtime/trace"
	"strings"
	"testing"
	"time"

	"example.com/spawning/miniredis"
	"example.com/spawning/miniredis/miniredistest"
)

// TestTrace plays the chapter's scenario for `go run ./workshop trace 03`,
// which draws the server's goroutines from the trace: a client whose
// request panics, then a graceful shutdown with a request in flight. It
// runs only under go test -trace.
func TestTrace(t *testing.T) {
	miniredistest.PanicAndDrain(t, func(ctx context.Context, ln net.Listener, inFlight func()) error {
		s := newServer(miniredistest.Timeout)
		// A stand-in for process: PANIC panics, and any other request is
		// held until the server is told to stop, then takes 30 ms more.
		s.handler = func(c *miniredis.Connection) {
			frame, err := c.ReadFrame()
			if err != nil {
				return
			}
			if strings.Contains(frame.String(), "PANIC") {
				trace.Log(ctx, miniredistest.TracePanic, "PANIC asked for")
				panic("PANIC asked for")
			}
			inFlight()
			<-ctx.Done()
			<-time.After(30 * time.Millisecond)
			c.WriteFrame(miniredis.Error("unimplemented"))
		}
		return s.serve(ctx, ln)
	})
}
