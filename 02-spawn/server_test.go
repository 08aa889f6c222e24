package main

import (
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestMain hides the server's request log, which a thousand clients would
// bury the test output in, and keeps its warnings. Once every test is done,
// goleak checks that no goroutine outlived it: every connection's goroutine
// ended when its client hung up, and every parked goroutine was released.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	goleak.VerifyTestMain(m)
}

// set is the request hello-redis sends first.
var set = miniredistest.Command("set", "hello", "world")

func TestServe(t *testing.T) {
	// The chapter's lesson comes first; the tests after it would only fail
	// more slowly for the same reason.
	if !t.Run("a second client is answered while the first stays silent", answeredWhileFirstIsSilent) {
		return
	}

	t.Run("the reply is the unimplemented error, then a close", func(t *testing.T) {
		addr := miniredistest.Serve(t, serve)
		c := miniredistest.Dial(t, addr)
		c.Send(set)
		c.Expect("-unimplemented\r\n")
		c.ExpectClosed()
	})

	t.Run("a thousand clients at once are all answered", thousandClients)

	// One P runs one goroutine at a time, yet the server still talks to
	// every client at once: a goroutine blocked on its socket gives the
	// thread to another. Concurrency is not parallelism.
	t.Run("with GOMAXPROCS=1", func(t *testing.T) {
		prev := runtime.GOMAXPROCS(1)
		t.Cleanup(func() { runtime.GOMAXPROCS(prev) })

		t.Run("a second client is answered while the first stays silent", answeredWhileFirstIsSilent)
		t.Run("a thousand clients at once are all answered", thousandClients)
	})
}

// answeredWhileFirstIsSilent is 01-accept's head-of-line test turned
// around: the client that 01 kept waiting is answered at once.
func answeredWhileFirstIsSilent(t *testing.T) {
	addr := miniredistest.Serve(t, serve)
	// Dial returns once the kernel has completed the handshake, so A is
	// ahead of B in the accept queue before B even dials.
	a := miniredistest.Dial(t, addr)
	b := miniredistest.Dial(t, addr)

	b.Send(set)
	b.ExpectSoon("-unimplemented\r\n", "client B was not answered while client A stayed connected:",
		"does the accept loop wait for process to return?")
	b.ExpectClosed()

	// A's goroutine has been waiting for its request all along.
	a.Send(set)
	a.Expect("-unimplemented\r\n")
	a.ExpectClosed()
}

// thousandClients connects a thousand clients at once, has one more
// client served while all of them are still silent, then lets the
// thousand send their requests together.
func thousandClients(t *testing.T) {
	// A thousand connections fit in the kernel's accept queue even if the
	// server accepted none of them: Go listens with the backlog in
	// /proc/sys/net/core/somaxconn, 4096 on current Linux kernels.
	const n = 1000
	addr := miniredistest.Serve(t, serve)

	conns := make([]net.Conn, n)
	errs := make([]error, n)
	var dialled sync.WaitGroup
	for i := range n {
		dialled.Go(func() {
			conns[i], errs[i] = net.DialTimeout("tcp", addr, miniredistest.Timeout)
		})
	}
	dialled.Wait()
	for i, conn := range conns {
		require.NoError(t, errs[i], "client %d dials", i)
		t.Cleanup(func() { conn.Close() })
	}

	// The latecomer is behind all thousand in the accept queue, and each of
	// them has a goroutine waiting for a request that has not come.
	late := miniredistest.Dial(t, addr)
	late.Send(set)
	late.ExpectSoon("-unimplemented\r\n", "a client was not answered while a thousand others stayed silent:",
		"every connection needs a goroutine of its own")
	late.ExpectClosed()

	replies := make([]string, n)
	var answered sync.WaitGroup
	for i, conn := range conns {
		answered.Go(func() {
			replies[i], errs[i] = roundTrip(conn, set)
		})
	}
	answered.Wait()
	for i := range n {
		if assert.NoError(t, errs[i], "client %d", i) {
			assert.Equal(t, "-unimplemented\r\n", replies[i], "client %d", i)
		}
	}
}

// roundTrip sends request on conn and returns all the server sends back
// until it closes the connection. It does not touch t, so that many
// goroutines can run it at once.
func roundTrip(conn net.Conn, request string) (string, error) {
	conn.SetDeadline(time.Now().Add(miniredistest.Timeout))
	if _, err := io.WriteString(conn, request); err != nil {
		return "", err
	}
	reply, err := io.ReadAll(conn)
	return string(reply), err
}
