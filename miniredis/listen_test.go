package miniredis

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListen(t *testing.T) {
	first, err := Listen("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { first.Close() })
	addr := first.Addr().String()

	t.Run("a second Listen on the same address is EADDRINUSE and says what to do", func(t *testing.T) {
		second, err := Listen(addr)
		if second != nil {
			second.Close()
		}
		require.Error(t, err)
		assert.True(t, IsAddrInUse(err), "got %v", err)
		assert.Contains(t, err.Error(), "already listening on "+addr)
		assert.Contains(t, err.Error(), "-addr")
	})

	t.Run("other errors are returned as net.Listen returns them", func(t *testing.T) {
		_, err := Listen("127.0.0.1:notaport")
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "-addr")
	})

	t.Run("the advice names each OS's own commands", func(t *testing.T) {
		for goos, want := range map[string][]string{
			"linux":   {"sudo systemctl stop redis-server", `"ss -ltnp"`},
			"darwin":  {"brew services stop redis", `"lsof -nP -iTCP:6379 -sTCP:LISTEN"`},
			"windows": {"Services app", `"netstat -ano | findstr :6379"`},
		} {
			help := addrInUseHelp(goos, "127.0.0.1:6379")
			assert.Contains(t, help, "already listening on 127.0.0.1:6379", goos)
			assert.Contains(t, help, `"redis-cli shutdown"`, goos)
			assert.Contains(t, help, "-addr 127.0.0.1:6380", goos)
			for _, w := range want {
				assert.Contains(t, help, w, goos)
			}
		}
	})

	t.Run("the advice is for the port that is taken", func(t *testing.T) {
		help := addrInUseHelp("linux", "127.0.0.1:6390")
		assert.Contains(t, help, `"redis-cli -p 6390 shutdown"`, "a plain redis-cli shutdown would stop the Redis on 6379")
		assert.Contains(t, help, "-addr 127.0.0.1:6391")
		assert.Contains(t, help, "-p 6391 for redis-cli")
	})
}

func TestListenWarnsBeyondLoopback(t *testing.T) {
	for _, tc := range []struct {
		addr string
		warn bool
	}{
		{"127.0.0.1:0", false},
		{"0.0.0.0:0", true},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			log := miniredistest.CaptureLog(t)
			ln, err := Listen(tc.addr)
			require.NoError(t, err)
			ln.Close()
			var warned bool
			for _, r := range log.Records(t) {
				if r["level"] == "WARN" {
					assert.Contains(t, r["msg"], "anyone who can reach the port can read and write")
					warned = true
				}
			}
			assert.Equal(t, tc.warn, warned, "log: %q", log.Lines())
		})
	}
}

// fakeListener hands out, one Accept at a time, the results a test queued
// on it, and reports each call on calls. Once the queue is empty, Accept
// waits for Close.
type fakeListener struct {
	results chan acceptResult
	calls   chan int
	closed  chan struct{}
	n       int
}

type acceptResult struct {
	conn net.Conn
	err  error
}

func newFakeListener(results ...acceptResult) *fakeListener {
	f := &fakeListener{
		results: make(chan acceptResult, len(results)),
		calls:   make(chan int, 100),
		closed:  make(chan struct{}),
	}
	for _, r := range results {
		f.results <- r
	}
	return f
}

func (f *fakeListener) Accept() (net.Conn, error) {
	f.n++
	f.calls <- f.n
	select {
	case r := <-f.results:
		return r.conn, r.err
	case <-f.closed:
		return nil, fmt.Errorf("accept: %w", net.ErrClosed)
	}
}

func (f *fakeListener) Close() error   { close(f.closed); return nil }
func (f *fakeListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

// emfile is the error Accept returns when the process has no file
// descriptor left for the new connection.
var emfile = acceptResult{err: &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept", errNoFiles)}}

// accepted gives a connection a fakeListener can hand out.
func accepted(t *testing.T) acceptResult {
	server, _ := net.Pipe()
	t.Cleanup(func() { server.Close() })
	return acceptResult{conn: server}
}

// acceptAsync runs ln.Accept in a goroutine and returns what it returns.
func acceptAsync(ln net.Listener) <-chan acceptResult {
	done := make(chan acceptResult, 1)
	go func() {
		conn, err := ln.Accept()
		done <- acceptResult{conn, err}
	}()
	return done
}

func TestAcceptRetriesUntilItWorks(t *testing.T) {
	t.Run("out of file descriptors: Accept waits and tries again, and logs the burst once", func(t *testing.T) {
		log := miniredistest.CaptureLog(t)
		fake := newFakeListener(emfile, emfile, emfile, accepted(t))
		ln := NewListener(fake)
		ln.minDelay, ln.maxDelay = time.Microsecond, time.Millisecond

		conn, err := ln.Accept()
		require.NoError(t, err)
		require.NotNil(t, conn)
		assert.Equal(t, 4, fake.n, "Accept was tried again after each failure")
		assert.Equal(t, []string{"accept failed; retrying until it works", "accepting again"}, log.Messages(t))
		assert.Contains(t, log.Records(t)[0]["why"], "out of file descriptors")
		assert.EqualValues(t, 3, log.Records(t)[1]["failed_attempts"])
	})

	t.Run("a client closing ends the wait at once, since it frees a descriptor", func(t *testing.T) {
		fake := newFakeListener(accepted(t), emfile, accepted(t))
		ln := NewListener(fake)
		ln.minDelay, ln.maxDelay = time.Hour, time.Hour

		first, err := ln.Accept()
		require.NoError(t, err)
		second := acceptAsync(ln)
		// The second call to the fake's Accept fails; the Listener then
		// waits an hour unless a client closes.
		miniredistest.Receive(t, fake.calls)
		require.Equal(t, 2, miniredistest.Receive(t, fake.calls))
		first.Close()
		got := miniredistest.Receive(t, second)
		require.NoError(t, got.err)
		assert.Equal(t, 3, fake.n)
	})

	t.Run("Close ends the wait, and Accept returns net.ErrClosed", func(t *testing.T) {
		fake := newFakeListener(emfile)
		ln := NewListener(fake)
		ln.minDelay, ln.maxDelay = time.Hour, time.Hour

		done := acceptAsync(ln)
		miniredistest.Receive(t, fake.calls)
		ln.Close()
		got := miniredistest.Receive(t, done)
		assert.ErrorIs(t, got.err, net.ErrClosed)
	})
}

// wordyListener is a listener that, once closed, says so in words of its
// own rather than with net.ErrClosed, as some in-memory listeners do.
type wordyListener struct{ *fakeListener }

func (w wordyListener) Accept() (net.Conn, error) {
	if _, err := w.fakeListener.Accept(); err != nil {
		return nil, errors.New("listener is shut")
	}
	return nil, errors.New("unreachable")
}

func TestAcceptAfterCloseReturnsErrClosed(t *testing.T) {
	fake := newFakeListener()
	ln := NewListener(wordyListener{fake})
	done := acceptAsync(ln)
	miniredistest.Receive(t, fake.calls)
	ln.Close()
	got := miniredistest.Receive(t, done)
	assert.ErrorIs(t, got.err, net.ErrClosed)
	assert.ErrorContains(t, got.err, "listener is shut")
}

func TestMaxClients(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ln := NewListener(inner)
	ln.MaxClients = 2
	t.Cleanup(func() { ln.Close() })
	addr := ln.Addr().String()

	// The server side: every connection the Listener lets in, in order.
	conns := make(chan net.Conn, 10)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { conn.Close() })
			conns <- conn
		}
	}()

	a := miniredistest.Dial(t, addr)
	serverA := miniredistest.Receive(t, conns)
	b := miniredistest.Dial(t, addr)
	serverB := miniredistest.Receive(t, conns)
	assert.Equal(t, 2, ln.Clients())

	t.Run("a client past the limit gets Redis's error and is closed", func(t *testing.T) {
		c := miniredistest.Dial(t, addr)
		c.Expect("-ERR max number of clients reached\r\n")
		c.ExpectClosed()
	})

	t.Run("the clients already connected are not affected", func(t *testing.T) {
		for _, pair := range []struct {
			client *miniredistest.Conn
			server net.Conn
		}{{a, serverA}, {b, serverB}} {
			pair.client.Send("+PING\r\n")
			got := make([]byte, 7)
			_, err := io.ReadFull(pair.server, got)
			require.NoError(t, err)
			assert.Equal(t, "+PING\r\n", string(got))
		}
	})

	t.Run("once a client's connection is closed, the next client is let in", func(t *testing.T) {
		// Close twice: a connection gives its place back once.
		serverA.Close()
		serverA.Close()
		assert.Equal(t, 1, ln.Clients())
		miniredistest.Dial(t, addr)
		miniredistest.Receive(t, conns)
		assert.Equal(t, 2, ln.Clients())
	})
}
