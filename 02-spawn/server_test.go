package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"example.com/spawning/miniredis/miniredistest"
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

	t.Run("nothing is deferred in the accept loop", func(t *testing.T) {
		miniredistest.NoDeferInLoop(t, serve)
	})

	t.Run("the reply is the unimplemented error, then a close", func(t *testing.T) {
		addr := miniredistest.Serve(t, serve)
		c := miniredistest.Dial(t, addr)
		c.Send(set)
		c.Expect("-unimplemented\r\n")
		c.ExpectClosed("the connection must close once process has answered: process closes it, and nothing else should")
	})

	t.Run("two requests in one write: the first is answered, then the connection closes", func(t *testing.T) {
		addr := miniredistest.Serve(t, serve)
		c := miniredistest.Dial(t, addr)
		// The Connection keeps a reply back while another request waits
		// to be read, and sends it when it is closed: conn.Close alone
		// would throw it away.
		c.Send(set + set)
		c.Expect("-unimplemented\r\n", "the reply was lost when the connection closed: close the Connection (defer c.Close()),",
			"which sends the replies it holds, not the net.Conn under it")
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
	b.ExpectSoonOr("-unimplemented\r\n",
		"client B was not answered while client A stayed connected: the accept loop waits for process to return; start it with go process(conn)",
		"client B's connection was closed before it was answered: the goroutine owns its connection and process closes it; the accept loop must not")
	b.ExpectClosed()

	// A's goroutine has been waiting for its request all along.
	a.Send(set)
	a.Expect("-unimplemented\r\n", sharedConn)
	a.ExpectClosed()
}

// sharedConn is what it means when a client's connection is never served
// while the others are: two goroutines got the same connection.
const sharedConn = "Does every goroutine serve its own connection? A conn declared outside the loop " +
	"and read by a func literal is shared: pass it as an argument, go process(conn)"

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
		"every connection needs a goroutine of its own, and the accept loop must go straight back to Accept, "+
			"without waiting or sleeping")
	late.ExpectClosed()

	replies := make([]string, n)
	var answered sync.WaitGroup
	for i, conn := range conns {
		answered.Go(func() {
			replies[i], errs[i] = roundTrip(conn, set)
		})
	}
	answered.Wait()
	// A thousand clients failing alike are one mistake: say it once, with
	// the first client's failure.
	failed, first := 0, ""
	for i := range n {
		if errs[i] == nil && replies[i] != "-unimplemented\r\n" {
			errs[i] = fmt.Errorf("got %q", replies[i])
		}
		if errs[i] != nil {
			if failed == 0 {
				first = fmt.Sprintf("client %d, %v", i, errs[i])
			}
			failed++
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d clients did not get one answer and a close (the first: %s).\n\t%s", failed, n, first, sharedConn)
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
