package main

import (
	"context"
	"net"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"example.com/spawning/miniredis"
	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// The tests of main and of an unrecovered panic run this test binary
	// again as a child process, which does what runAs says instead.
	switch os.Getenv(runAs) {
	case "server":
		main()
		return
	case "panicking-goroutine":
		panickingGoroutine()
		return
	}
	// Every test ends with every goroutine it started gone.
	goleak.VerifyTestMain(m)
}

// short bounds the wait that proves something does not happen.
const short = 50 * time.Millisecond

// ping is a whole request, and pingHead and pingTail are its two halves.
var (
	ping     = miniredistest.Command("PING")
	pingHead = ping[:len(ping)-4]
	pingTail = ping[len(ping)-4:]
)

func TestShutdown(t *testing.T) {
	// Waiting must not cost 02's lesson: a wait in the wrong place makes
	// the server sequential again, and every test after this one would
	// only fail more slowly for that reason.
	if !t.Run("a second client is answered while the first stays silent", answeredWhileFirstIsSilent) {
		return
	}
	// The chapter's lesson comes next: every other shutdown test needs a
	// serve that waits, and would only fail more slowly without one.
	if !t.Run("serve returns only once every connection goroutine has returned", serveWaitsForItsGoroutines) {
		return
	}
	shutdownTests(t)
}

func answeredWhileFirstIsSilent(t *testing.T) {
	ts := startServer(t, newServer(time.Minute))
	a := miniredistest.Dial(t, ts.addr)
	miniredistest.Receive(t, ts.accepted)
	b := miniredistest.Dial(t, ts.addr)
	b.Send(ping)
	b.ExpectSoonOr("-unimplemented\r\n",
		"client B was not answered while client A stayed connected: is there a Wait inside the accept loop? "+
			"serve waits once, after Accept has failed",
		"client B's connection was closed before it was answered")
	a.Close()
}

func serveWaitsForItsGoroutines(t *testing.T) {
	s := newServer(time.Minute)
	started := make(chan struct{})
	release := make(chan struct{})
	// The cleanup unblocks the handler if the test fails before then.
	releaseOnce := sync.OnceFunc(func() { close(release) })
	t.Cleanup(releaseOnce)
	// This handler does no I/O, so no shutdown can end it: it returns when
	// the test releases it, and serve must wait for that.
	s.handler = func(*miniredis.Connection) {
		close(started)
		<-release
	}
	ts := startServer(t, s)
	miniredistest.Dial(t, ts.addr)
	miniredistest.Receive(t, started)

	ts.cancel()
	miniredistest.Receive(t, ts.stopped)
	select {
	case err := <-ts.served:
		t.Fatalf("serve returned (with %v) while a connection goroutine was still running: "+
			"serve must wait for every goroutine it started before it returns", err)
	case <-time.After(short):
		// Proof that serve does not return: it is still waiting.
	}

	releaseOnce()
	select {
	case err := <-ts.served:
		assert.NoError(t, err, "once its last goroutine has returned, serve returns nil")
	case <-time.After(miniredistest.Timeout):
		t.Fatalf("serve did not return within %v of its last goroutine returning: is every goroutine counted "+
			"out when it returns? wg.Go does both the Add and the Done", miniredistest.Timeout)
	}
}

func shutdownTests(t *testing.T) {
	t.Run("serve waits as long as its goroutines run, not for a set time", serveWaitsNoSetTime)

	t.Run("an idle connection is closed at once, without waiting for the drain", func(t *testing.T) {
		ts := startServer(t, newServer(time.Minute))
		c := miniredistest.Dial(t, ts.addr)
		miniredistest.Receive(t, ts.accepted)

		ts.cancel()
		c.ExpectClosed("shutdown did not close an idle connection: ask the connections to finish (s.conns.Shutdown) " +
			"before you wait for their goroutines, or the wait lasts as long as the slowest client stays")
		// Within miniredistest.Timeout, far less than the one-minute drain.
		assert.NoError(t, miniredistest.Receive(t, ts.served))
		goleak.VerifyNone(t)
	})

	t.Run("a request being handled is answered before the connection closes", func(t *testing.T) {
		s := newServer(time.Minute)
		got := make(chan struct{})
		release := make(chan struct{})
		// The cleanup unblocks the handler if the test fails before then.
		releaseOnce := sync.OnceFunc(func() { close(release) })
		t.Cleanup(releaseOnce)
		// This handler holds the request until the test releases it, so
		// the request is in flight for as long as the test needs.
		s.handler = func(c *miniredis.Connection) {
			if _, err := c.ReadFrame(); err != nil {
				return
			}
			close(got)
			<-release
			c.WriteFrame(miniredis.Error("unimplemented"))
		}
		ts := startServer(t, s)
		c := miniredistest.Dial(t, ts.addr)
		c.Send(ping)
		miniredistest.Receive(t, got)

		ts.cancel()
		miniredistest.Receive(t, ts.stopped)
		// The connection is neither answered nor closed, and serve waits.
		c.ExpectSilence(short)
		select {
		case err := <-ts.served:
			t.Fatalf("serve returned %v with a request in flight", err)
		default:
		}

		releaseOnce()
		c.Expect("-unimplemented\r\n")
		c.ExpectClosed()
		assert.NoError(t, miniredistest.Receive(t, ts.served))
	})

	t.Run("a request that has begun to arrive is read to its end and answered", func(t *testing.T) {
		ts := startServer(t, newServer(time.Minute))
		c := miniredistest.Dial(t, ts.addr)
		c.Send(pingHead)
		miniredistest.Receive(t, ts.midRequest)

		ts.cancel()
		miniredistest.Receive(t, ts.stopped)
		c.ExpectSilence(short)

		c.Send(pingTail)
		c.Expect("-unimplemented\r\n")
		c.ExpectClosed()
		assert.NoError(t, miniredistest.Receive(t, ts.served))
	})

	t.Run("a connection that has answered and waits for the next request is then closed", func(t *testing.T) {
		s := newServer(time.Minute)
		// Unlike process, this handler answers request after request, as
		// the complete process of a later chapter does.
		s.handler = func(c *miniredis.Connection) {
			for {
				if _, err := c.ReadFrame(); err != nil {
					return
				}
				if err := c.WriteFrame(miniredis.Error("unimplemented")); err != nil {
					return
				}
			}
		}
		ts := startServer(t, s)
		c := miniredistest.Dial(t, ts.addr)
		c.Send(pingHead)
		miniredistest.Receive(t, ts.midRequest)

		ts.cancel()
		miniredistest.Receive(t, ts.stopped)
		c.Send(pingTail)
		c.Expect("-unimplemented\r\n")
		// Idle again, so shutdown closes it, long before the drain ends.
		c.ExpectClosed()
		assert.NoError(t, miniredistest.Receive(t, ts.served))
	})

	t.Run("the drain is bounded: a request that never ends is cut off", func(t *testing.T) {
		logs := miniredistest.CaptureLog(t)
		ts := startServer(t, newServer(short))
		c := miniredistest.Dial(t, ts.addr)
		c.Send(pingHead)
		miniredistest.Receive(t, ts.midRequest)

		ts.cancel()
		c.ExpectClosed("a request that never ends was not cut off when the drain ran out: " +
			"call done() once the wait is over, not before; it stops the drain's timer")
		assert.NoError(t, miniredistest.Receive(t, ts.served))
		assert.Contains(t, logs.Messages(t), "drain timed out; closing busy connections")
	})
}

// crashMessage is what the test's handler panics with. When the server
// does not recover it, it is the last thing the test binary prints.
const crashMessage = "a handler panicked on purpose; if this ended the test binary, " +
	"the connection goroutine does not recover panics, or panics again after recovering (see recoverPanic)"

func TestPanickingHandler(t *testing.T) {
	logs := miniredistest.CaptureLog(t)
	s := newServer(time.Minute)
	// A request named CRASH makes this handler panic; any other is
	// answered as process answers it.
	s.handler = func(c *miniredis.Connection) {
		frame, err := c.ReadFrame()
		if err != nil {
			return
		}
		if cmd, _ := miniredis.ParseCommand(frame); cmd != nil {
			if u, ok := cmd.(miniredis.Unknown); ok && u.Name == "CRASH" {
				panic(crashMessage)
			}
		}
		c.WriteFrame(miniredis.Error("unimplemented"))
	}
	ts := startServer(t, s)

	t.Run("the panicking connection is closed and the panic is logged", func(t *testing.T) {
		c := miniredistest.Dial(t, ts.addr)
		miniredistest.Receive(t, ts.accepted)
		c.Send(miniredistest.Command("CRASH"))
		c.ExpectClosed()
		// The goroutine's deferred calls close the connection even when
		// the panic goes on to end the process: waiting for the log line
		// gives an unrecovered panic the time to end it, so the learner
		// reads the panic, not a missing log line.
		logs.WaitFor(t, 1, "panic serving connection",
			"the panic was recovered but not logged: slog.Error(\"panic serving connection\", ...)")

		records := logs.Records(t)
		i := slices.IndexFunc(records, func(r map[string]any) bool { return r["msg"] == "panic serving connection" })
		require.NotEqual(t, -1, i, "the panic was recovered but not logged: slog.Error(\"panic serving connection\", ...); the log: %v", records)
		assert.Equal(t, crashMessage, records[i]["panic"])
		assert.Contains(t, records[i]["stack"], "server_test.go", "the log holds the stack of the panic")
	})

	t.Run("a client connected before the panic is still served", func(t *testing.T) {
		before := miniredistest.Dial(t, ts.addr)
		miniredistest.Receive(t, ts.accepted)
		crash := miniredistest.Dial(t, ts.addr)
		crash.Send(miniredistest.Command("CRASH"))
		crash.ExpectClosed()

		before.Send(ping)
		before.Expect("-unimplemented\r\n")
	})

	t.Run("a client connecting after the panic is served", func(t *testing.T) {
		c := miniredistest.Dial(t, ts.addr)
		c.Send(ping)
		c.Expect("-unimplemented\r\n")
	})
}

func TestNoPanicIsNotLogged(t *testing.T) {
	logs := miniredistest.CaptureLog(t)
	ts := startServer(t, newServer(time.Minute))
	c := miniredistest.Dial(t, ts.addr)
	c.Send(ping)
	c.Expect("-unimplemented\r\n")
	c.ExpectClosed()

	// Once serve has returned, every goroutine's deferred calls have run.
	ts.cancel()
	require.NoError(t, miniredistest.Receive(t, ts.served))
	for _, r := range logs.Records(t) {
		if r["msg"] == "panic serving connection" {
			t.Fatalf("a connection that did not panic logged a panic (%v): recover() returns nil when nothing "+
				"panicked, so log only when it returns something else", r["panic"])
		}
	}
}

// serveWaitsNoSetTime runs the server in a synctest bubble, where time
// moves only when every goroutine in it is waiting: an hour after the
// shutdown passes at once, and a serve that sleeps instead of waiting for
// its goroutines has returned by then.
func serveWaitsNoSetTime(t *testing.T) {
	miniredistest.SkipAfterFailure(t)
	// Time in the bubble moves only when every goroutine in it waits on
	// something of the bubble's. A serve that waits on something from
	// outside it, such as a WaitGroup declared at package level, stops
	// the bubble's clock, and the test would never end: that shows as
	// the bubble not finishing in real time.
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		serveWaitsNoSetTimeInBubble(t)
	}()
	select {
	case <-finished:
	case <-time.After(miniredistest.Timeout):
		t.Fatalf("serve's wait could not be checked: it waits on something made outside the server, such as " +
			"a WaitGroup declared at package level; make the WaitGroup a field of server (s.wg), so that each " +
			"server waits for its own goroutines")
	}
}

func serveWaitsNoSetTimeInBubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newServer(time.Minute)
		started := make(chan struct{})
		release := make(chan struct{})
		s.handler = func(*miniredis.Connection) {
			close(started)
			<-release
		}
		ln := newPipeListener()
		client := ln.dial()
		defer client.Close()
		ctx, cancel := context.WithCancel(t.Context())
		served := make(chan error, 1)
		go func() { served <- s.serve(ctx, ln) }()
		miniredistest.Receive(t, started)

		cancel()
		time.Sleep(time.Hour)
		select {
		case err := <-served:
			close(release)
			t.Fatalf("serve returned (with %v) while a connection goroutine was still running, an hour after the "+
				"shutdown began: a sleep is not a wait; wg.Wait() waits exactly as long as the goroutines run", err)
		default:
		}
		close(release)
		assert.NoError(t, miniredistest.Receive(t, served))
	})
}

// pipeListener hands out in-memory connections made by dial: a listener
// for a synctest bubble, where real sockets do not belong.
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn, 1), closed: make(chan struct{})}
}

// dial queues a connection for Accept and returns the client's end.
func (l *pipeListener) dial() net.Conn {
	server, client := net.Pipe()
	l.conns <- server
	return client
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// testServer is a server running in its own goroutine, with the channels a
// test waits on instead of sleeping.
type testServer struct {
	addr   string
	cancel context.CancelFunc // cancels serve's context: Ctrl-C
	served chan error         // receives what serve returned

	accepted   chan struct{} // receives once for each accepted connection
	midRequest chan struct{} // receives once for each connection that has read part of a request and waits for more
	stopped    chan struct{} // closed when Accept has failed: shutdown has begun
	stopOnce   sync.Once
}

func startServer(t *testing.T, s *server) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	ts := &testServer{
		cancel:     cancel,
		served:     make(chan error, 1),
		accepted:   make(chan struct{}, 16),
		midRequest: make(chan struct{}, 16),
		stopped:    make(chan struct{}),
	}
	returned := make(chan struct{})
	ts.addr = miniredistest.Serve(t, func(ln net.Listener) error {
		err := s.serve(ctx, watchedListener{ln, ts})
		close(returned)
		ts.served <- err
		return err
	})
	// This runs once the test's clients have gone, so a shutdown has
	// nothing left to wait for but goroutines that are ending.
	t.Cleanup(func() {
		if t.Failed() {
			return
		}
		cancel()
		select {
		case <-returned:
		case <-time.After(miniredistest.Timeout):
			t.Errorf("serve did not return within %v of a shutdown with every client gone: is every goroutine "+
				"counted out when it returns? wg.Go does both the Add and the Done", miniredistest.Timeout)
		}
	})
	return ts
}

// watchedListener tells its testServer what the server does with its
// connections.
type watchedListener struct {
	net.Listener
	ts *testServer
}

func (l watchedListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		l.ts.stopOnce.Do(func() { close(l.ts.stopped) })
		return nil, err
	}
	l.ts.accepted <- struct{}{}
	return &watchedConn{Conn: conn, midRequest: l.ts.midRequest}, nil
}

// watchedConn signals midRequest when the server reads again after a read
// that returned bytes. By then the server has seen the start of a request
// and is waiting for the rest: the connection is busy, not idle. The first
// read returning bytes would be too early a signal, since the connection is
// marked busy only after that read has returned.
type watchedConn struct {
	net.Conn
	midRequest chan<- struct{}
	// Only the connection's own goroutine reads these.
	gotBytes, signalled bool
}

func (c *watchedConn) Read(p []byte) (int, error) {
	if c.gotBytes && !c.signalled {
		c.signalled = true
		c.midRequest <- struct{}{}
	}
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.gotBytes = true
	}
	return n, err
}

func TestMainShutsDownOnSIGINT(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send on Windows")
	}
	// It runs last: a server that fails the tests above would only fail
	// this one more slowly.
	miniredistest.SkipAfterFailure(t)
	cmd, stderr := runSelf(t, "server", "-addr", "127.0.0.1:0")

	// main logs the address it listens on: "... INFO listening addr=127.0.0.1:PORT".
	var addr string
	var logs []string
	for addr == "" && stderr.Scan() {
		logs = append(logs, stderr.Text())
		if _, a, ok := strings.Cut(stderr.Text(), "INFO listening addr="); ok {
			addr = a
		}
	}
	require.NotEmpty(t, addr, "no listening line in %q", logs)

	// The server accepts connections in the order they arrive, so once
	// the second client is answered the first has been accepted too.
	idle := miniredistest.Dial(t, addr)
	busy := miniredistest.Dial(t, addr)
	busy.Send(miniredistest.Command("PING"))
	busy.Expect("-unimplemented\r\n")

	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	idle.ExpectClosed()

	for stderr.Scan() {
		logs = append(logs, stderr.Text())
	}
	require.NoError(t, cmd.Wait(), "main exits with status 0; its log: %q", logs)
	assert.Contains(t, logs[len(logs)-1], "INFO stopped")
}
