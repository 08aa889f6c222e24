package miniredistest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/trace"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The scenarios below are what `go run ./workshop trace` shows: each
// chapter's TestTrace plays one against the chapter's server, with real
// clients over TCP, while go test -trace records every goroutine. They
// log on the trace what the clients do and what the server's goroutines
// are, with these categories; the workshop draws the timeline from them.
const (
	TraceScenario = "scenario"        // "start", "shutdown", "end"
	TraceRole     = "scenario.role"   // the goroutine that runs serve: "accept loop"
	TraceClient   = "scenario.client" // "A 127.0.0.1:54321": a client and its address
	TraceSend     = "scenario.send"   // "A SET b 1": the client sent a request
	TraceReply    = "scenario.reply"  // "A -unimplemented": the client read its replies
	TraceHangUp   = "scenario.hangup" // "A": the client closed its connection
	TraceClosed   = "scenario.closed" // "A": the server closed the client's connection
	TracePanic    = "scenario.panic"  // a stand-in handler is about to panic, in its goroutine
)

// Hold is how long client A of a scenario stays connected and silent
// after the other clients have sent their requests: long enough to see on
// a timeline, short enough not to keep a learner waiting.
const Hold = 150 * time.Millisecond

// A ServeFunc runs a chapter's server on ln until ctx is cancelled or ln
// is closed. 01 and 02 ignore ctx; their serve returns once ln is closed.
type ServeFunc func(ctx context.Context, ln net.Listener) error

// Scene is one run of a scenario: the server it plays against, and what
// it logs on the trace.
type Scene struct {
	t      testing.TB
	Addr   string // where the server listens
	ctx    context.Context
	cancel context.CancelFunc
	done   chan error
	ln     net.Listener
}

// StartScene skips the test unless an execution trace is being taken
// (go test -trace FILE), then starts serve on 127.0.0.1:0 in a goroutine
// that it names "accept loop" on the trace. Stop ends the scene.
func StartScene(t testing.TB, serve ServeFunc) *Scene {
	t.Helper()
	if !trace.IsEnabled() {
		t.Skip("draws a picture of the server's goroutines: run it with go test -trace FILE, or with go run ./workshop trace")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scene{t: t, Addr: ln.Addr().String(), ctx: ctx, cancel: cancel, done: make(chan error, 1), ln: ln}
	trace.Log(ctx, TraceScenario, "start")
	go func() {
		trace.Log(ctx, TraceRole, "accept loop")
		err := serve(ctx, ln)
		// A serve that returns early leaves clients waiting to be
		// accepted: closing the listener resets their connections, so
		// that they fail at once rather than after Timeout.
		ln.Close()
		s.done <- err
	}()
	t.Cleanup(func() { s.Stop() })
	return s
}

// Shutdown cancels the server's context, as Ctrl-C does, and logs it.
func (s *Scene) Shutdown() {
	trace.Log(s.ctx, TraceScenario, "shutdown")
	s.cancel()
}

// Stop shuts the server down if Shutdown has not, closes its listener,
// and waits for serve to return. It may be called more than once.
func (s *Scene) Stop() {
	if s.ctx.Err() == nil {
		s.cancel()
	}
	s.ln.Close()
	if s.done == nil {
		return
	}
	select {
	case err := <-s.done:
		if err != nil && !errors.Is(err, net.ErrClosed) {
			s.t.Errorf("serve returned %v", err)
		}
	case <-time.After(Timeout):
		s.t.Errorf("serve did not return within %v of its listener closing", Timeout)
	}
	s.done = nil
	trace.Log(context.Background(), TraceScenario, "end")
}

// A Client is one of a scene's clients, named by a letter on the picture.
type Client struct {
	t    testing.TB
	Name string
	conn net.Conn
	r    *bufio.Reader
}

// Dial connects a client named name and logs its address on the trace, so
// that the server's goroutine that serves it can be named after it.
func (s *Scene) Dial(name string) *Client {
	s.t.Helper()
	conn, err := net.Dial("tcp", s.Addr)
	if err != nil {
		s.t.Fatalf("client %s: dial: %v", name, err)
	}
	s.t.Cleanup(func() { conn.Close() })
	trace.Log(context.Background(), TraceClient, name+" "+conn.LocalAddr().String())
	return &Client{t: s.t, Name: name, conn: conn, r: bufio.NewReader(conn)}
}

// Send writes the commands in one write, as a pipelining client does, and
// logs them.
func (c *Client) Send(cmds ...[]string) {
	var sb strings.Builder
	var said []string
	for _, cmd := range cmds {
		sb.WriteString(Command(cmd...))
		said = append(said, strings.Join(cmd, " "))
	}
	trace.Log(context.Background(), TraceSend, c.Name+" "+strings.Join(said, "; "))
	if _, err := c.conn.Write([]byte(sb.String())); err != nil {
		c.t.Errorf("client %s: write: %v", c.Name, err)
	}
}

// Replies reads n replies, waiting at most Timeout, and logs them; a
// client that gets fewer logs what went wrong instead, so that a broken
// server still gets its picture.
func (c *Client) Replies(n int) []string {
	c.conn.SetReadDeadline(time.Now().Add(Timeout))
	var got []string
	for range n {
		reply, err := c.readReply()
		if err != nil {
			trace.Log(context.Background(), TraceReply, fmt.Sprintf("%s no reply (%v)", c.Name, err))
			return got
		}
		got = append(got, reply)
	}
	trace.Log(context.Background(), TraceReply, c.Name+" "+strings.Join(got, "; "))
	return got
}

// readReply reads one reply of the kinds the chapters send: a simple
// string, an error, an integer, or a bulk string or its null.
func (c *Client) readReply() (string, error) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if !strings.HasPrefix(line, "$") {
		return line, nil
	}
	n, err := strconv.Atoi(line[1:])
	if err != nil || n < 0 {
		return line, nil
	}
	body := make([]byte, n+2)
	if _, err := io.ReadFull(c.r, body); err != nil {
		return "", err
	}
	return string(body[:n]), nil
}

// HangUp closes the client's connection and logs it.
func (c *Client) HangUp() {
	trace.Log(context.Background(), TraceHangUp, c.Name)
	c.conn.Close()
}

// SilentClient is the scenario of 01 and 02: client A connects and says
// nothing; B and C connect after it and each send a SET. A hangs up once
// B and C have both been answered and Hold has passed since they asked,
// or after Timeout at the most. With one client at a time (01), B and C
// are answered only after A hangs up; with a goroutine per connection
// (02), at once.
func SilentClient(t *testing.T, serve ServeFunc) {
	s := StartScene(t, serve)
	a := s.Dial("A")
	b := s.Dial("B")
	c := s.Dial("C")

	var wg sync.WaitGroup
	answered := make(chan struct{}, 2)
	for i, cl := range []*Client{b, c} {
		wg.Go(func() {
			cl.Send([]string{"SET", strings.ToLower(cl.Name), strconv.Itoa(i + 1)})
			cl.Replies(1)
			cl.HangUp()
			answered <- struct{}{}
		})
	}
	hold := time.After(Hold)
	for waiting := 2; waiting > 0 || hold != nil; {
		select {
		case <-answered:
			waiting--
		case <-hold:
			hold = nil
			if waiting > 0 {
				// One client at a time: B and C wait behind A until it
				// leaves.
				waiting = 0
			}
		}
	}
	a.HangUp()
	wg.Wait()
	s.Stop()
}

// WaitClosed waits, at most Timeout, for the server to close the client's
// connection, and logs it.
func (c *Client) WaitClosed() {
	c.conn.SetReadDeadline(time.Now().Add(Timeout))
	if _, err := c.r.ReadByte(); err == nil {
		c.t.Errorf("client %s: got a byte where the server should have closed the connection", c.Name)
	}
	trace.Log(context.Background(), TraceClosed, c.Name)
}

// PanicAndDrain is the scenario of 03: client A connects and says nothing;
// B sends PANIC, which the server's handler answers with a panic; C sends
// a SET that the handler holds until the server is told to stop (it calls
// inFlight once it has read it). The scene waits Hold/3 with C's request
// in flight, then shuts the server down: A, idle, should be closed at
// once, C answered, and serve return only then.
func PanicAndDrain(t *testing.T, serve func(ctx context.Context, ln net.Listener, inFlight func()) error) {
	got := make(chan struct{}, 1)
	s := StartScene(t, func(ctx context.Context, ln net.Listener) error {
		return serve(ctx, ln, func() { got <- struct{}{} })
	})
	a := s.Dial("A")
	b := s.Dial("B")
	b.Send([]string{"PANIC"})
	b.Replies(1)
	b.HangUp()

	c := s.Dial("C")
	c.Send([]string{"SET", "c", "3"})
	Receive(t, got)
	<-time.After(Hold / 3)
	s.Shutdown()
	var wg sync.WaitGroup
	wg.Go(a.WaitClosed)
	c.Replies(1)
	c.HangUp()
	wg.Wait()
	s.Stop()
}

// Pipeline is the scenario of 05: client A sends ten SETs and ten GETs in
// one write, as redis-benchmark -P does, and reads the twenty replies;
// client B, connected beside it, sends a PING.
func Pipeline(t *testing.T, serve ServeFunc) {
	s := StartScene(t, serve)
	a := s.Dial("A")
	b := s.Dial("B")
	var cmds [][]string
	for i := range 10 {
		cmds = append(cmds, []string{"SET", fmt.Sprintf("k%d", i), fmt.Sprintf("v%d", i)})
	}
	for i := range 10 {
		cmds = append(cmds, []string{"GET", fmt.Sprintf("k%d", i)})
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		a.Send(cmds...)
		a.Replies(len(cmds))
		a.HangUp()
	})
	wg.Go(func() {
		b.Send([]string{"PING"})
		b.Replies(1)
		b.HangUp()
	})
	wg.Wait()
	s.Stop()
}
