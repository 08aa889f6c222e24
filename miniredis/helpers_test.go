package miniredis

import (
	"bytes"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/require"
)

// tcpPair returns the two ends of a real loopback TCP connection. Both are
// closed when the test ends, and both carry a deadline so that a test that
// is failing fails with a timeout instead of hanging.
func tcpPair(t testing.TB) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	// Dial returns once the handshake is done, and the kernel queues the
	// connection for Accept, so no goroutine is needed.
	client, err = net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { client.Close() })
	server, err = ln.Accept()
	require.NoError(t, err)
	t.Cleanup(func() { server.Close() })
	deadline := time.Now().Add(miniredistest.Timeout)
	require.NoError(t, server.SetDeadline(deadline))
	require.NoError(t, client.SetDeadline(deadline))
	return server, client
}

// pipePair is tcpPair over net.Pipe. A net.Pipe has no buffer: each Write
// blocks until Reads have taken all of it, and one Read never returns bytes
// from two Writes. That makes the chunks a reader sees exactly the writes,
// which TCP does not promise.
func pipePair(t testing.TB) (server, client net.Conn) {
	t.Helper()
	server, client = net.Pipe()
	t.Cleanup(func() {
		server.Close()
		client.Close()
	})
	deadline := time.Now().Add(miniredistest.Timeout)
	require.NoError(t, server.SetDeadline(deadline))
	require.NoError(t, client.SetDeadline(deadline))
	return server, client
}

// writeAsync writes data to conn in a goroutine, for the cases where the
// reader runs on the test's goroutine and a net.Pipe would otherwise
// deadlock. The returned channel yields the write's error.
func writeAsync(conn net.Conn, chunks ...[]byte) <-chan error {
	done := make(chan error, 1)
	go func() {
		for _, c := range chunks {
			if _, err := conn.Write(c); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	return done
}

// memConn is a net.Conn over memory: reads come from r and writes go to w.
// It lets the fuzz target, the benchmarks and the allocation tests drive a
// Connection without a socket or a goroutine.
type memConn struct {
	r io.Reader
	w io.Writer
}

func newMemConn(input []byte) *memConn {
	return &memConn{r: bytes.NewReader(input), w: io.Discard}
}

func (m *memConn) Read(p []byte) (int, error)       { return m.r.Read(p) }
func (m *memConn) Write(p []byte) (int, error)      { return m.w.Write(p) }
func (m *memConn) Close() error                     { return nil }
func (m *memConn) LocalAddr() net.Addr              { return memAddr{} }
func (m *memConn) RemoteAddr() net.Addr             { return memAddr{} }
func (m *memConn) SetDeadline(time.Time) error      { return nil }
func (m *memConn) SetReadDeadline(time.Time) error  { return nil }
func (m *memConn) SetWriteDeadline(time.Time) error { return nil }
func (memAddr) Network() string                     { return "mem" }
func (memAddr) String() string                      { return "mem" }

type memAddr struct{}

// countingConn counts the calls a Connection makes on its net.Conn: Reads
// that returned bytes, and Writes. The counts prove how replies were
// batched without relying on timing.
type countingConn struct {
	net.Conn

	mu        sync.Mutex
	dataReads int // Read calls that returned at least one byte
	writes    int // Write calls
	readCalls chan struct{}
	stop      <-chan struct{} // ends a report on readCalls nobody will take
}

// Read reports each call on readCalls, when that is set, before it
// blocks: a test can then tell that the Connection has gone back to the
// socket, which it does only once it has used up what it read.
func (c *countingConn) Read(p []byte) (int, error) {
	if c.readCalls != nil {
		select {
		case c.readCalls <- struct{}{}:
		case <-c.stop:
		}
	}
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		c.dataReads++
		c.mu.Unlock()
	}
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.writes++
	c.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *countingConn) counts() (dataReads, writes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dataReads, c.writes
}

// serveFrames starts a server whose every connection is handled by handle
// on a goroutine of its own, and returns its address. When the test ends,
// the server closes the connections still open and waits for every handle
// to return, so no goroutine outlives the test.
func serveFrames(t *testing.T, handle func(*Connection)) string {
	t.Helper()
	return miniredistest.Serve(t, func(ln net.Listener) error {
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			conns = map[net.Conn]bool{}
		)
		defer func() {
			mu.Lock()
			for conn := range conns {
				conn.Close()
			}
			mu.Unlock()
			wg.Wait()
		}()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return err
			}
			mu.Lock()
			conns[conn] = true
			mu.Unlock()
			wg.Go(func() {
				defer func() {
					mu.Lock()
					delete(conns, conn)
					mu.Unlock()
				}()
				c := NewConnection(conn)
				defer c.Close()
				handle(c)
			})
		}
	})
}

// echo answers every request with the request itself, so a test sees
// exactly what the Connection parsed, and returns when reading fails.
func echo(c *Connection) {
	for {
		f, err := c.ReadFrame()
		if err != nil {
			return
		}
		if err := c.WriteFrame(f); err != nil {
			return
		}
	}
}

// errorsAsProtocol returns the *ProtocolError in err's chain, or nil.
func errorsAsProtocol(err error) *ProtocolError {
	var perr *ProtocolError
	if errors.As(err, &perr) {
		return perr
	}
	return nil
}
