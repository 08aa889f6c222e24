package main

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"example.com/spawning/miniredis"
	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// silence bounds the wait for a reply that cannot come while the lock is
// held. Any length proves it; a short one keeps the test fast.
const silence = 50 * time.Millisecond

func TestMutexGuardAcrossAwait(t *testing.T) {
	t.Run("a lock held across a write lets one slow client stall the others", func(t *testing.T) {
		h := newHits()
		slow := connectPipe(t, h.serveHoldingLock)
		send(t, slow, miniredistest.Command("get", "a"))
		// Reading one byte proves the handler is writing its reply, with
		// h.mu held; the rest of the reply stays unread, so the write
		// cannot finish.
		expect(t, slow, ":")

		other := connectPipe(t, h.serveHoldingLock)
		send(t, other, miniredistest.Command("get", "b"))
		expectSilence(t, other, silence)

		// The slow client reads the rest; its write ends and the lock is
		// released, and only then is the other client answered.
		expect(t, slow, "1\r\n")
		expect(t, other, ":2\r\n")
	})

	t.Run("a lock released before the write lets the others be answered while the slow client stalls", func(t *testing.T) {
		h := newHits()
		slow := connectPipe(t, h.serveReleasingLock)
		send(t, slow, miniredistest.Command("get", "a"))
		expect(t, slow, ":")

		for i, want := range []string{":2\r\n", ":3\r\n", ":4\r\n"} {
			other := connectPipe(t, h.serveReleasingLock)
			send(t, other, miniredistest.Command("get", string(rune('b'+i))))
			expect(t, other, want)
		}

		// The slow client's reply was still waiting, unfinished, all along.
		expect(t, slow, "1\r\n")
	})
}

// connectPipe connects a client to handler over net.Pipe and runs handler
// in a goroutine of its own, as the server does for each connection. When
// the test ends it closes the client's end and waits for handler to return.
//
// A pipe holds no bytes: a write blocks until the other end reads them. A
// client that does not read therefore stalls the handler's very first
// write. Over TCP the same stall needs a reply bigger than the kernel's
// socket buffers, whose size the test cannot know.
func connectPipe(t *testing.T, handler func(*miniredis.Connection)) net.Conn {
	t.Helper()
	client, server := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c := miniredis.NewConnection(server)
		defer c.Close()
		handler(c)
	}()
	t.Cleanup(func() {
		client.Close()
		receive(t, done)
	})
	return client
}

// send, expect and expectSilence do for a pipe what miniredistest.Conn's
// Send, Expect and ExpectSilence do for a TCP connection.

func send(t *testing.T, c net.Conn, s string) {
	t.Helper()
	c.SetWriteDeadline(time.Now().Add(miniredistest.Timeout))
	_, err := io.WriteString(c, s)
	require.NoError(t, err, "send %q", s)
}

func expect(t *testing.T, c net.Conn, want string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(miniredistest.Timeout))
	got := make([]byte, len(want))
	n, err := io.ReadFull(c, got)
	require.NoError(t, err, "want %q, read %q", want, got[:n])
	assert.Equal(t, want, string(got))
}

func expectSilence(t *testing.T, c net.Conn, d time.Duration) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(d))
	var buf [64]byte
	n, err := c.Read(buf[:])
	require.Zero(t, n, "want no reply within %v, got %q", d, buf[:n])
	require.True(t, errors.Is(err, os.ErrDeadlineExceeded), "want no reply within %v, got %v", d, err)
}
