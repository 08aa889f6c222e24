package main

import (
	"net"
	"sync"
	"testing"
	"time"

	"example.com/spawning/miniredis"
	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/require"
)

// The server of 05 still carries 03-joinhandle's ideas: a goroutine's
// panic is recovered, and shutdown waits for the requests in flight, for as
// long as the drain allows. These tests keep them from being lost on the
// way.

// panicMessage is what the test's handler panics with. When the server
// does not recover it, it is the last thing the test binary prints.
const panicMessage = "a handler panicked on purpose; if this ended the test binary, the connection " +
	"goroutine does not recover panics: keep its defer recoverPanic(c), from 03-joinhandle"

func TestPanicInOneConnection(t *testing.T) {
	needProcess(t)
	logs := miniredistest.CaptureLog(t)
	s := newServer(miniredistest.Timeout)
	// The first client's handler panics; the others get process.
	s.handler = func(c *miniredis.Connection, client int) {
		if client == 1 {
			panic(panicMessage)
		}
		process(c, client)
	}
	addr := miniredistest.Serve(t, func(ln net.Listener) error { return s.serve(t.Context(), ln) })

	crash := miniredistest.Dial(t, addr)
	crash.ExpectClosed("the connection whose handler panicked must be closed")
	logs.WaitFor(t, 1, "panic serving connection", "the panic was recovered but not logged: keep recoverPanic as 03-joinhandle wrote it")

	next := miniredistest.Dial(t, addr)
	next.Send(ping)
	next.Expect("+PONG\r\n", "a client after the panic must be served")
}

func TestShutdownWaitsForARequestInFlight(t *testing.T) {
	needProcess(t)
	logs := miniredistest.CaptureLog(t)
	const drain = miniredistest.Timeout
	s := newServer(drain)
	got := make(chan struct{})
	release := make(chan struct{})
	releaseOnce := sync.OnceFunc(func() { close(release) })
	t.Cleanup(releaseOnce)
	// This handler holds its one request until the test releases it.
	s.handler = func(c *miniredis.Connection, client int) {
		if _, err := c.ReadFrame(); err != nil {
			return
		}
		close(got)
		<-release
		c.WriteFrame(miniredis.Simple("PONG"))
	}
	addr, cancel, returned := startCancellable(t, s)

	c := miniredistest.Dial(t, addr)
	c.Send(ping)
	miniredistest.Receive(t, got)
	cancel()
	const shutdown = "shutting down: waiting for busy connections (a second Ctrl-C stops at once)"
	logs.WaitFor(t, 1, shutdown)
	for _, r := range logs.Records(t) {
		if r["msg"] == shutdown && r["drain"] != float64(drain) {
			t.Fatalf("shutdown gave the busy connection %v to finish, not the server's drain of %v: "+
				"pass s.drain to s.conns.Shutdown", time.Duration(r["drain"].(float64)), drain)
		}
	}
	// Proof that serve does not return while the request is in flight: a
	// serve that does not wait returns at once.
	select {
	case err := <-returned:
		t.Fatalf("serve returned (with %v) while a request was in flight: it must wait for its connection "+
			"goroutines (s.wg.Wait()), as in 03-joinhandle", err)
	case <-time.After(50 * time.Millisecond):
	}

	releaseOnce()
	c.Expect("+PONG\r\n", "the request in flight at shutdown was cut off: busy connections get the drain to finish")
	c.ExpectClosed()
	require.NoError(t, miniredistest.Receive(t, returned))
}
