package main

import (
	"sync/atomic"
	"testing"

	"example.com/spawning/miniredis/miniredistest"
)

// processFailed is set when TestProcess fails. The tests after it check
// process in more depth, through real clients that retry and wait; without
// a working process they would only fail more slowly, so they skip.
var processFailed atomic.Bool

// needProcess skips the test if TestProcess has failed.
func needProcess(t *testing.T) {
	t.Helper()
	if processFailed.Load() {
		t.Skip("skipped until TestProcess passes")
	}
}

// TestProcess is the chapter's lesson in four requests, over the wire.
func TestProcess(t *testing.T) {
	t.Cleanup(func() { processFailed.Store(t.Failed()) })
	addr := start(t)
	cmd := miniredistest.Command

	t.Run("SET then GET on one connection returns the value", func(t *testing.T) {
		c := miniredistest.Dial(t, addr)
		c.Send(cmd("set", "hello", "world"))
		c.Expect("+OK\r\n", "process must answer SET with Simple(\"OK\")",
			"and keep the connection open, reading requests in a loop")
		c.Send(cmd("get", "hello"))
		c.Expect("$5\r\nworld\r\n", "process must answer GET of a key it was sent with Bulk(value)")
		c.Send(cmd("get", "missing"))
		c.Expect("$-1\r\n", "process must answer GET of a key never set with Null{}")
	})

	t.Run("each connection has a map of its own", func(t *testing.T) {
		a, b := miniredistest.Dial(t, addr), miniredistest.Dial(t, addr)
		a.Send(cmd("set", "mine", "a"))
		a.Expect("+OK\r\n")
		b.Send(cmd("get", "mine"))
		b.Expect("$-1\r\n", "a value SET on one connection was seen from another:",
			"make the map inside process, so that each connection has its own")
	})

	t.Run("an unknown command gets Redis's error and the connection stays open", func(t *testing.T) {
		c := miniredistest.Dial(t, addr)
		c.Send(cmd("hello", "3"))
		c.Expect("-ERR unknown command 'hello', with args beginning with: '3' \r\n",
			"an Unknown command is answered with its Reply(), as Redis answers it")
		c.Send(cmd("get"))
		c.Expect("-ERR wrong number of arguments for 'get' command\r\n",
			"when ParseCommand returns an error, answer with miniredis.Error(err.Error())")
		c.Send(cmd("ping"))
		c.Expect("+PONG\r\n", "PING is answered with its Reply(), PONG")
	})
}
