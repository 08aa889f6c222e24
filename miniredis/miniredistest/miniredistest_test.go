package miniredistest_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordingTB stands in for a test so that a helper's failure can be
// observed instead of failing the real test. Fatalf ends the goroutine it
// runs on, as testing.T's does, so the helper must run in runFailing.
type recordingTB struct {
	testing.TB

	mu     sync.Mutex
	failed []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = append(r.failed, fmt.Sprintf(format, args...))
}

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func (r *recordingTB) failures() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.failed...)
}

// runFailing runs f on a goroutine of its own, where a Fatalf may end it,
// and waits for it.
func runFailing(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

// replyOnce serves one connection at a time: it reads one byte, answers
// "+OK\r\n" and closes.
func replyOnce(ln net.Listener) error {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return err
		}
		var b [1]byte
		if _, err := conn.Read(b[:]); err == nil {
			io.WriteString(conn, "+OK\r\n")
		}
		conn.Close()
	}
}

func TestCommand(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"GET a is an array of two bulk strings", []string{"get", "a"}, "*2\r\n$3\r\nget\r\n$1\r\na\r\n"},
		{"no arguments is an empty array", nil, "*0\r\n"},
		{"an empty argument has length zero", []string{""}, "*1\r\n$0\r\n\r\n"},
		{"lengths count bytes, not runes", []string{"é"}, "*1\r\n$2\r\né\r\n"},
		{"CRLF inside an argument is sent as it is", []string{"a\r\nb"}, "*1\r\n$4\r\na\r\nb\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, miniredistest.Command(tt.args...))
		})
	}
}

func TestServe(t *testing.T) {
	t.Run("the cleanup closes the listener and waits for serve to return", func(t *testing.T) {
		returned := make(chan struct{})
		t.Run("inner", func(t *testing.T) {
			addr := miniredistest.Serve(t, func(ln net.Listener) error {
				defer close(returned)
				return replyOnce(ln)
			})
			c := miniredistest.Dial(t, addr)
			c.Send("x")
			c.Expect("+OK\r\n")
		})
		select {
		case <-returned:
		default:
			t.Fatal("serve was still running after the test that started it ended")
		}
	})

	t.Run("an error from serve other than net.ErrClosed fails the test", func(t *testing.T) {
		rec := &recordingTB{}
		t.Run("inner", func(t *testing.T) {
			rec.TB = t
			miniredistest.Serve(rec, func(net.Listener) error { return errors.New("boom") })
		})
		require.Len(t, rec.failures(), 1)
		assert.Contains(t, rec.failures()[0], "boom")
	})
}

func TestConn(t *testing.T) {
	addr := miniredistest.Serve(t, replyOnce)

	t.Run("silence, then the exact reply, then the close are all seen", func(t *testing.T) {
		c := miniredistest.Dial(t, addr)
		assert.NotNil(t, c.NetConn())
		// The server says nothing until it is sent a byte. Proving that
		// nothing arrives needs a wait; 50ms keeps the test quick.
		c.ExpectSilence(50 * time.Millisecond)
		c.Send("x")
		c.Expect("+OK\r\n")
		c.ExpectClosed()
	})

	t.Run("Expect fails on different bytes", func(t *testing.T) {
		rec := &recordingTB{TB: t}
		c := miniredistest.Dial(rec, addr)
		c.Send("x")
		runFailing(func() { c.Expect("+NO\r\n") })
		require.Len(t, rec.failures(), 1)
		assert.Contains(t, rec.failures()[0], `got "+OK\r\n"`)
	})

	t.Run("Expect fails when the connection closes first", func(t *testing.T) {
		rec := &recordingTB{TB: t}
		c := miniredistest.Dial(rec, addr)
		c.Send("x")
		runFailing(func() { c.Expect("+OK\r\nmore") })
		require.Len(t, rec.failures(), 1)
		assert.Contains(t, rec.failures()[0], `read "+OK\r\n" then: unexpected EOF`)
	})

	t.Run("ExpectClosed fails when bytes arrive", func(t *testing.T) {
		rec := &recordingTB{TB: t}
		c := miniredistest.Dial(rec, addr)
		c.Send("x")
		runFailing(c.ExpectClosed)
		require.Len(t, rec.failures(), 1)
		assert.Contains(t, rec.failures()[0], "want the connection closed")
	})

	t.Run("ExpectSilence fails when bytes arrive", func(t *testing.T) {
		rec := &recordingTB{TB: t}
		c := miniredistest.Dial(rec, addr)
		c.Send("x")
		runFailing(func() { c.ExpectSilence(miniredistest.Timeout) })
		require.Len(t, rec.failures(), 1)
		assert.Contains(t, rec.failures()[0], "want no reply")
	})
}
