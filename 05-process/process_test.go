package main

import (
	"slices"
	"testing"

	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/require"
)

// needProcess skips the test if a test before it has failed: TestProcess
// comes first, and the tests after it check process in more depth, through
// real clients that retry and wait; without a working process they would
// only fail more slowly.
func needProcess(t *testing.T) {
	t.Helper()
	miniredistest.SkipAfterFailure(t)
}

// TestProcess is the chapter's lesson in four requests, over the wire.
func TestProcess(t *testing.T) {
	addr := start(t)
	cmd := miniredistest.Command

	t.Run("SET then GET on one connection returns the value", func(t *testing.T) {
		needProcess(t)
		c := miniredistest.Dial(t, addr)
		c.Send(cmd("set", "hello", "world"))
		c.Expect("+OK\r\n", "process must answer SET with Simple(\"OK\")",
			"and keep the connection open, reading requests in a loop")
		c.Send(cmd("get", "hello"))
		c.ExpectSoonOr("$5\r\nworld\r\n", "process must answer GET of a key it was sent with Bulk(value)",
			"process closed the connection after one request: keep it open, reading requests in a loop until ReadFrame fails")
		c.Send(cmd("get", "missing"))
		c.Expect("$-1\r\n", "process must answer GET of a key never set with Null{}")
	})

	t.Run("each connection has a map of its own", func(t *testing.T) {
		needProcess(t)
		a, b := miniredistest.Dial(t, addr), miniredistest.Dial(t, addr)
		a.Send(cmd("set", "mine", "a"))
		a.Expect("+OK\r\n")
		b.Send(cmd("get", "mine"))
		b.Expect("$-1\r\n", "a value SET on one connection was seen from another:",
			"make the map inside process, so that each connection has its own")
	})

	t.Run("an unknown command gets Redis's error and the connection stays open", func(t *testing.T) {
		needProcess(t)
		c := miniredistest.Dial(t, addr)
		c.Send(cmd("hello", "3"))
		c.Expect("-ERR unknown command 'hello', with args beginning with: '3' \r\n",
			"an Unknown command is answered with its Reply(), as Redis answers it")
		c.Send(cmd("get"))
		c.Expect("-ERR wrong number of arguments for 'get' command\r\n",
			"when ParseCommand returns an error, answer with miniredis.Error(err.Error())")
		c.Send(cmd("ping"))
		c.Expect("+PONG\r\n", "PING is answered with its Reply(), PONG")
		c.Send(cmd("echo", "hi"))
		c.Expect("$2\r\nhi\r\n", "ECHO is answered with its Reply(), the message as a bulk string")
	})
}

func TestProcessLogsFailuresOnly(t *testing.T) {
	needProcess(t)
	logs := miniredistest.CaptureLog(t)
	addr, cancel, returned := startCancellable(t, newServer(miniredistest.Timeout))

	c := miniredistest.Dial(t, addr)
	for range 3 {
		c.Send(miniredistest.Command("set", "a", "v"))
		c.Expect("+OK\r\n")
	}
	c.Close()
	// Once serve has returned, every connection goroutine has finished,
	// and all it logged is in.
	cancel()
	require.NoError(t, miniredistest.Receive(t, returned))

	msgs := logs.Messages(t)
	for _, m := range msgs {
		if count := len(slices.DeleteFunc(slices.Clone(msgs), func(x string) bool { return x != m })); count >= 3 {
			t.Fatalf("three requests that did not fail made %d log lines %q: log failures only; "+
				"a busy server would spend more time logging than answering", count, m)
		}
	}
}
