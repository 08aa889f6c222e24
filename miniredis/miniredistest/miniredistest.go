// Package miniredistest holds the helpers the chapters' tests share, in the
// spirit of net/http/httptest: Serve starts a server on a free loopback
// port for one test, and Conn is a raw client for tests that need to send
// and check exact bytes. Log and CaptureLog collect what a server logs,
// Receive bounds a wait on a channel, and RedisTool finds the redis-tools
// programs a test runs.
package miniredistest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Timeout bounds every wait on something that must happen. It is an
// upper bound only; a test never waits it out unless it is failing.
const Timeout = 5 * time.Second

// Serve listens on 127.0.0.1:0, runs serve with that listener in a new
// goroutine, and returns the address to dial. When the test ends it closes
// the listener and waits for serve to return, failing the test if serve
// returned an error other than net.ErrClosed.
func Serve(t testing.TB, serve func(net.Listener) error) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- serve(ln) }()
	t.Cleanup(func() {
		ln.Close()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, net.ErrClosed) {
				t.Errorf("serve returned %v", err)
			}
		case <-time.After(Timeout):
			t.Errorf("serve did not return within %v of its listener closing", Timeout)
		}
	})
	return ln.Addr().String()
}

// Receive returns the next value from ch, failing the test if none comes
// within Timeout: an upper bound on something that must happen, never a
// way to wait for time to pass. A closed channel gives its zero value at
// once, so Receive also waits for a done channel to be closed.
func Receive[T any](t testing.TB, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(Timeout):
		t.Fatalf("nothing received within %v", Timeout)
		var zero T
		return zero
	}
}

// Command encodes a command as a client sends it, an array of bulk
// strings: Command("get", "a") is "*2\r\n$3\r\nget\r\n$1\r\na\r\n".
func Command(args ...string) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&sb, "$%d\r\n%s\r\n", len(a), a)
	}
	return sb.String()
}

// Conn is a raw client connection. It sends bytes exactly as given and
// checks the bytes that come back, so a test can see what a real client's
// library would hide. Every method fails the test on error.
type Conn struct {
	t    testing.TB
	conn net.Conn
}

// Dial connects to addr and closes the connection when the test ends.
func Dial(t testing.TB, addr string) *Conn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, Timeout)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	return NewConn(t, conn)
}

// NewConn makes a Conn of a connection the test opened some other way,
// such as one end of net.Pipe, and closes it when the test ends. conn
// must support deadlines, as net.Pipe's ends and TCP connections do.
func NewConn(t testing.TB, conn net.Conn) *Conn {
	t.Helper()
	t.Cleanup(func() { conn.Close() })
	return &Conn{t: t, conn: conn}
}

// NetConn returns the underlying connection.
func (c *Conn) NetConn() net.Conn { return c.conn }

// Send writes s as it is.
func (c *Conn) Send(s string) {
	c.t.Helper()
	c.conn.SetWriteDeadline(time.Now().Add(Timeout))
	if _, err := io.WriteString(c.conn, s); err != nil {
		c.t.Fatalf("send %q: %v", s, err)
	}
}

// Expect reads exactly len(want) bytes and fails the test unless they are
// want.
func (c *Conn) Expect(want string) {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(Timeout))
	got := make([]byte, len(want))
	n, err := io.ReadFull(c.conn, got)
	if err != nil {
		c.t.Fatalf("want %q, read %q then: %v", want, got[:n], err)
	}
	if !bytes.Equal(got, []byte(want)) {
		c.t.Fatalf("want %q, got %q", want, got)
	}
}

// ExpectClosed fails the test unless the server closes the connection
// without sending anything more. A reset counts as closed: Linux resets a
// connection that is closed with unread bytes in it.
func (c *Conn) ExpectClosed() {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(Timeout))
	var buf [64]byte
	n, err := c.conn.Read(buf[:])
	switch {
	case n > 0:
		c.t.Fatalf("want the connection closed, got %q", buf[:n])
	case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET):
	default:
		c.t.Fatalf("want the connection closed, got %v", err)
	}
}

// ExpectSilence fails the test if any byte arrives within d. It is the
// proof that something cannot happen, such as a sequential server
// answering a second client while the first holds it; never use it to
// wait for something that will.
func (c *Conn) ExpectSilence(d time.Duration) {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(d))
	var buf [64]byte
	n, err := c.conn.Read(buf[:])
	if n > 0 {
		c.t.Fatalf("want no reply within %v, got %q", d, buf[:n])
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		c.t.Fatalf("want no reply within %v, got %v", d, err)
	}
}

// Close closes the connection.
func (c *Conn) Close() { c.conn.Close() }
