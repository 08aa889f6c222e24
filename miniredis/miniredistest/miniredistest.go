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
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"example.com/spawning/miniredis/internal/neterr"
)

// Timeout bounds every wait on something that must happen. It is an
// upper bound only; a test never waits it out unless it is failing.
const Timeout = 5 * time.Second

// Soon bounds the wait for a reply that a correct server sends at once and
// a server missing a chapter's idea never sends, such as a second client's
// answer while a first client holds a sequential server. It is far above
// what a loopback round trip takes, even under the race detector on a busy
// machine, and short enough that a learner's check fails in seconds.
const Soon = 2 * time.Second

// Serve listens on 127.0.0.1:0, runs serve with that listener in a new
// goroutine, and returns the address to dial. When the test ends it closes
// the listener and waits for serve to return, failing the test if serve
// returned an error other than net.ErrClosed.
//
// A serve that returns while the test still runs, without having closed
// the listener itself, has stopped accepting, which no server should: the
// test fails at once with a message that says so, and the listener is
// closed, so clients waiting to be accepted see their connection reset
// instead of waiting out a timeout.
//
// Serve also calls SkipAfterFailure: once a test of the chapter has
// failed, the tests after it skip instead of failing again for the same
// reason.
func Serve(t testing.TB, serve func(net.Listener) error) string {
	t.Helper()
	SkipAfterFailure(t)
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ln := &closeRecorder{Listener: inner}
	var (
		mu       sync.Mutex
		stopping bool // the test has ended and closed the listener
	)
	done := make(chan error, 1)
	var early bool // serve returned early, and the test was told so
	go func() {
		returned := false
		defer func() {
			// Accept ended this goroutine with runtime.Goexit: serve went
			// round its loop again after Accept had failed.
			if !returned {
				done <- errAcceptedAgain
			}
		}()
		err := serve(ln)
		returned = true
		mu.Lock()
		early = !stopping && !ln.closed.Load()
		mu.Unlock()
		if early {
			t.Errorf("serve returned (with %v) while the listener was still open: "+
				"the accept loop must keep accepting until Accept fails", err)
			ln.Close()
		}
		done <- err
	}()
	t.Cleanup(func() {
		mu.Lock()
		stopping = true
		mu.Unlock()
		ln.Close()
		if t.Failed() {
			// The test has said what went wrong; a serve stuck because of
			// it would only add a wait and a second message.
			return
		}
		select {
		case err := <-done:
			switch {
			case err == errAcceptedAgain:
				t.Errorf("serve called Accept again after Accept had failed (%v): "+
					"when Accept returns an error, return it from serve instead of going round the loop again", ln.firstErr)
			case err != nil && !errors.Is(err, net.ErrClosed) && !early:
				t.Errorf("serve returned %v", err)
			}
		case <-time.After(Timeout):
			t.Errorf("serve did not return within %v of its listener closing", Timeout)
		}
	})
	return ln.Addr().String()
}

// errAcceptedAgain stands for a serve that never returned because its
// listener's Accept ended it.
var errAcceptedAgain = errors.New("serve called Accept again after it failed")

// closeRecorder is a listener that remembers whether it was closed. Once
// closed, its Accept fails, as any listener's does; a serve that calls it
// again after that would spin, logging as fast as it can, so the second
// call ends serve's goroutine instead (runtime.Goexit) and Serve says why.
type closeRecorder struct {
	net.Listener
	closed   atomic.Bool
	failures atomic.Int32
	firstErr error // the error of the first failed Accept after Close
}

func (l *closeRecorder) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil && l.closed.Load() {
		switch l.failures.Add(1) {
		case 1:
			l.firstErr = err
		case 2:
			runtime.Goexit()
		}
	}
	return conn, err
}

func (l *closeRecorder) Close() error {
	l.closed.Store(true)
	return l.Listener.Close()
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
		fatalf(t, "nothing received within %v", Timeout)
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
		fatalf(t, "dial %s: %v", addr, err)
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
		fatalf(c.t, "send %q: %v", s, err)
	}
}

// Expect reads exactly len(want) bytes and fails the test unless they are
// want. A why, if given, leads the failure message: it should say in plain
// words what the server failed to do, and what to look at.
func (c *Conn) Expect(want string, why ...string) {
	c.t.Helper()
	c.expect(Timeout, want, reasons{why, why, why})
}

// ExpectSoon is Expect with a bound of Soon instead of Timeout, for a
// reply that must come at once.
func (c *Conn) ExpectSoon(want string, why ...string) {
	c.t.Helper()
	c.expect(Soon, want, reasons{why, why, why})
}

// ExpectSoonOr is ExpectSoon with a reason for each way the server can
// fail it, since each points at a different mistake: ifSilent when nothing
// comes within Soon, ifClosed when the server closes the connection first.
// Any other reply gets ifSilent too.
func (c *Conn) ExpectSoonOr(want, ifSilent, ifClosed string) {
	c.t.Helper()
	c.expect(Soon, want, reasons{[]string{ifSilent}, []string{ifClosed}, []string{ifSilent}})
}

// reasons lead an expect's failure, one for each way it can fail.
type reasons struct{ silent, closed, other []string }

func (c *Conn) expect(within time.Duration, want string, why reasons) {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(within))
	got := make([]byte, len(want))
	n, err := io.ReadFull(c.conn, got)
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		fatalf(c.t, "%swant %q, got %q and then nothing for %v", reason(why.silent), want, got[:n], within)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), neterr.IsConnReset(err):
		fatalf(c.t, "%swant %q, got %q and then the server closed the connection", reason(why.closed), want, got[:n])
	case err != nil:
		fatalf(c.t, "%swant %q, read %q then: %v", reason(why.other), want, got[:n], err)
	case !bytes.Equal(got, []byte(want)):
		fatalf(c.t, "%swant %q, got %q", reason(why.other), want, c.restOfLine(got))
	}
}

// restOfLine returns got and, when got does not end a line, what arrives
// of the rest of it at once, so that a failure shows a whole reply rather
// than as many bytes as the wanted one had.
func (c *Conn) restOfLine(got []byte) []byte {
	c.conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	var b [1]byte
	for len(got) < 256 && !bytes.HasSuffix(got, []byte("\n")) {
		if n, _ := c.conn.Read(b[:]); n == 0 {
			break
		}
		got = append(got, b[0])
	}
	return got
}

// ExpectClosed fails the test unless the server closes the connection
// without sending anything more. A reset counts as closed: Linux resets a
// connection that is closed with unread bytes in it.
func (c *Conn) ExpectClosed(why ...string) {
	c.t.Helper()
	c.expectClosed(why, why)
}

// ExpectClosedOr is ExpectClosed with a reason for each way the server can
// fail it: ifOpen when the connection is still open after Timeout, ifMore
// when the server sends more bytes instead.
func (c *Conn) ExpectClosedOr(ifOpen, ifMore string) {
	c.t.Helper()
	c.expectClosed([]string{ifOpen}, []string{ifMore})
}

func (c *Conn) expectClosed(ifOpen, ifMore []string) {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(Timeout))
	var buf [64]byte
	n, err := c.conn.Read(buf[:])
	switch {
	case n > 0:
		fatalf(c.t, "%swant the connection closed, got %q", reason(ifMore), buf[:n])
	case errors.Is(err, os.ErrDeadlineExceeded):
		fatalf(c.t, "%swant the connection closed; it was still open after %v", reason(ifOpen), Timeout)
	case errors.Is(err, io.EOF), neterr.IsConnReset(err):
	default:
		fatalf(c.t, "%swant the connection closed, got %v", reason(ifOpen), err)
	}
}

// reason is the lead of a failure message.
func reason(why []string) string {
	if len(why) == 0 {
		return ""
	}
	return strings.Join(why, " ") + "\n\t"
}

// ExpectSilence fails the test if any byte arrives within d. It is the
// proof that something cannot happen, such as a sequential server
// answering a second client while the first holds it; never use it to
// wait for something that will.
func (c *Conn) ExpectSilence(d time.Duration, why ...string) {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(d))
	var buf [64]byte
	n, err := c.conn.Read(buf[:])
	if n > 0 {
		fatalf(c.t, "%swant no reply within %v, got %q", reason(why), d, buf[:n])
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		fatalf(c.t, "%swant no reply within %v, got %v", reason(why), d, err)
	}
}

// Close closes the connection.
func (c *Conn) Close() { c.conn.Close() }

// fatalf ends the test with a message, unless the test has failed already:
// then what went wrong here follows from that first failure (a server that
// stopped early refuses the next dial), and the learner reads the first
// failure alone.
func fatalf(t testing.TB, format string, args ...any) {
	t.Helper()
	if t.Failed() {
		t.FailNow()
	}
	t.Fatalf(format, args...)
}
