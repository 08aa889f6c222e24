package main

import (
	"bytes"
	"encoding/json"
	"log"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/spawning/miniredis"
	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// silence is how long a client listens for a reply that must not come.
// It proves something cannot happen, so it is short; nothing waits on it
// for something that will.
const silence = 200 * time.Millisecond

// set is the request hello-redis sends first.
var set = miniredistest.Command("set", "hello", "world")

func TestServe(t *testing.T) {
	t.Run("a second client waits while the first stays silent", func(t *testing.T) {
		addr := miniredistest.Serve(t, serve)
		// Dial returns once the kernel has completed the handshake, so A is
		// ahead of B in the accept queue before B even dials.
		a := miniredistest.Dial(t, addr)
		b := miniredistest.Dial(t, addr)

		b.Send(set)
		b.ExpectSilence(silence)

		// A's request frees the loop: A is answered and closed, then the
		// loop accepts B and finally reads the request B sent long ago.
		a.Send(set)
		a.Expect("-unimplemented\r\n")
		a.ExpectClosed()
		b.Expect("-unimplemented\r\n")
		b.ExpectClosed()
	})

	t.Run("the reply is the unimplemented error, then a close", func(t *testing.T) {
		addr := miniredistest.Serve(t, serve)
		c := miniredistest.Dial(t, addr)
		c.Send(set)
		c.Expect("-unimplemented\r\n")
		c.ExpectClosed()
	})

	t.Run("a client that leaves without a word does not stop the server", func(t *testing.T) {
		addr := miniredistest.Serve(t, serve)
		miniredistest.Dial(t, addr).Close()

		next := miniredistest.Dial(t, addr)
		next.Send(set)
		next.Expect("-unimplemented\r\n")
		next.ExpectClosed()
	})

	t.Run("a malformed request gets a protocol error and the next client is served", func(t *testing.T) {
		addr := miniredistest.Serve(t, serve)
		bad := miniredistest.Dial(t, addr)
		bad.Send("*1\r\nfoo\r\n")
		bad.Expect("-ERR Protocol error: expected '$', got 'f'\r\n")
		bad.ExpectClosed()

		next := miniredistest.Dial(t, addr)
		next.Send(set)
		next.Expect("-unimplemented\r\n")
		next.ExpectClosed()
	})

	t.Run("hello-redis's client gets the error unimplemented", func(t *testing.T) {
		addr := miniredistest.Serve(t, serve)
		client, err := miniredis.Dial(addr)
		require.NoError(t, err)
		t.Cleanup(func() { client.Close() })

		err = client.Set("hello", []byte("world"))
		var reply miniredis.ServerError
		require.ErrorAs(t, err, &reply)
		assert.Equal(t, miniredis.ServerError("unimplemented"), reply)
	})
}

// These tests replace the process-wide logger, so they must not run in
// parallel with anything.
func TestLog(t *testing.T) {
	t.Run("the server logs the request it got", func(t *testing.T) {
		logs := captureLogs(t)
		addr := miniredistest.Serve(t, serve)
		c := miniredistest.Dial(t, addr)
		c.Send(set)
		c.Expect("-unimplemented\r\n")
		c.ExpectClosed()

		assert.Contains(t, logs.messages(t), `GOT: Array([Bulk("set"), Bulk("hello"), Bulk("world")])`)
	})

	t.Run("a client that leaves without a word is not logged", func(t *testing.T) {
		logs := captureLogs(t)
		addr := miniredistest.Serve(t, serve)
		miniredistest.Dial(t, addr).Close()

		// The loop reaches the second client only after it has finished
		// with the first, so by the time this reply arrives the first
		// client has been dealt with.
		next := miniredistest.Dial(t, addr)
		next.Send(miniredistest.Command("get", "hello"))
		next.Expect("-unimplemented\r\n")

		assert.Equal(t, []string{`GOT: Array([Bulk("get"), Bulk("hello")])`}, logs.messages(t))
	})
}

// logBuffer collects what the server logs. Connections log from their own
// goroutines while the test reads, so a mutex guards the buffer.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// messages returns the message of every record logged so far.
func (b *logBuffer) messages(t *testing.T) []string {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var msgs []string
	for line := range strings.Lines(b.buf.String()) {
		var record struct{ Msg string }
		require.NoError(t, json.Unmarshal([]byte(line), &record), "log line %q", line)
		msgs = append(msgs, record.Msg)
	}
	return msgs
}

// captureLogs sends slog's output to a buffer until the test ends. The
// records are JSON so that a message reads exactly as logged, unquoted.
func captureLogs(t *testing.T) *logBuffer {
	logs := new(logBuffer)
	// slog.SetDefault also points the log package at the new handler, and
	// setting the old logger back does not undo that: restore both.
	prev, prevOut, prevFlags := slog.Default(), log.Writer(), log.Flags()
	slog.SetDefault(slog.New(slog.NewJSONHandler(logs, nil)))
	t.Cleanup(func() {
		slog.SetDefault(prev)
		log.SetOutput(prevOut)
		log.SetFlags(prevFlags)
	})
	return logs
}
