package main

import (
	"net"
	"testing"
	"time"

	"example.com/spawning/miniredis"
	"example.com/spawning/miniredis/miniredistest"
)

// silence bounds the wait for a reply that cannot come while the lock is
// held. Any length proves it; a short one keeps the test fast.
const silence = 50 * time.Millisecond

func TestMutexGuardAcrossAwait(t *testing.T) {
	t.Run("a lock held across a write lets one slow client stall the others", func(t *testing.T) {
		h := newHits()
		slow := connectPipe(t, h.serveHoldingLock)
		slow.Send(miniredistest.Command("get", "a"))
		// Reading one byte proves the handler is writing its reply, with
		// h.mu held; the rest of the reply stays unread, so the write
		// cannot finish.
		slow.Expect(":")

		other := connectPipe(t, h.serveHoldingLock)
		other.Send(miniredistest.Command("get", "b"))
		other.ExpectSilence(silence)

		// The slow client reads the rest; its write ends and the lock is
		// released, and only then is the other client answered.
		slow.Expect("1\r\n")
		other.Expect(":2\r\n")
	})

	t.Run("a lock released before the write lets the others be answered while the slow client stalls", func(t *testing.T) {
		h := newHits()
		slow := connectPipe(t, h.serveReleasingLock)
		slow.Send(miniredistest.Command("get", "a"))
		slow.Expect(":")

		for i, want := range []string{":2\r\n", ":3\r\n", ":4\r\n"} {
			other := connectPipe(t, h.serveReleasingLock)
			other.Send(miniredistest.Command("get", string(rune('b'+i))))
			other.Expect(want)
		}

		// The slow client's reply was still waiting, unfinished, all along.
		slow.Expect("1\r\n")
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
func connectPipe(t *testing.T, handler func(*miniredis.Connection)) *miniredistest.Conn {
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
		miniredistest.Receive(t, done)
	})
	return miniredistest.NewConn(t, client)
}
