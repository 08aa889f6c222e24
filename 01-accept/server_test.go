package main

import (
	"slices"
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
	t.Run("nothing is deferred in the accept loop", func(t *testing.T) {
		miniredistest.NoDeferInLoop(t, serve)
	})

	t.Run("the reply is the unimplemented error, then a close", func(t *testing.T) {
		addr := miniredistest.Serve(t, serve)
		c := miniredistest.Dial(t, addr)
		c.Send(set)
		c.Expect("-unimplemented\r\n", "process must answer a request with the error unimplemented:",
			"c.WriteFrame(miniredis.Error(\"unimplemented\"))")
		// A second request tells a process that reads in a loop from one
		// that forgets to close.
		c.Send(set)
		c.ExpectClosedOr("after its one answer, process must return and close the connection: defer c.Close() right after NewConnection",
			"process answered a second request on the same connection: in this chapter it reads one request, answers it and returns, with no loop")
	})

	t.Run("two requests in one write: the first is answered, then the connection closes", func(t *testing.T) {
		addr := miniredistest.Serve(t, serve)
		c := miniredistest.Dial(t, addr)
		// The Connection keeps a reply back while another request waits
		// to be read, and sends it when it is closed: conn.Close alone
		// would throw it away.
		c.Send(set + set)
		c.Expect("-unimplemented\r\n", "the reply was lost when the connection closed: close the Connection (defer c.Close()),",
			"which sends the replies it holds, not the net.Conn under it")
		c.ExpectClosed("after its one answer, process must return and close the connection")
	})

	t.Run("a second client waits while the first stays silent", func(t *testing.T) {
		addr := miniredistest.Serve(t, serve)
		// Dial returns once the kernel has completed the handshake, so A is
		// ahead of B in the accept queue before B even dials.
		a := miniredistest.Dial(t, addr)
		b := miniredistest.Dial(t, addr)

		b.Send(set)
		// A sequential server cannot answer B while it waits for A.
		b.ExpectSilence(silence, "client B was answered while client A held the loop:",
			"this chapter serves one client at a time, so call process(conn) directly, without go")

		// A's request frees the loop: A is answered and closed, then the
		// loop accepts B and finally reads the request B sent long ago.
		a.Send(set)
		a.Expect("-unimplemented\r\n")
		a.ExpectClosed()
		b.Expect("-unimplemented\r\n")
		b.ExpectClosed()
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
		bad.ExpectClosed("a request ReadFrame refuses ends the connection: return from process, and let " +
			"the deferred c.Close() close it (defer it right after NewConnection, before any return)")

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
		logs := miniredistest.CaptureLog(t)
		addr := miniredistest.Serve(t, serve)
		c := miniredistest.Dial(t, addr)
		c.Send(set)
		c.Expect("-unimplemented\r\n")
		c.ExpectClosed()

		logged := slices.ContainsFunc(logs.Records(t), func(r map[string]any) bool {
			return r["msg"] == "got" && r["frame"] == `Array([Bulk("set"), Bulk("hello"), Bulk("world")])`
		})
		if !logged {
			t.Errorf("process must log each request with slog.Info(\"got\", \"frame\", frame.String()); the log: %q", logs.Lines())
		}
	})

	t.Run("a client that leaves without a word is not logged", func(t *testing.T) {
		logs := miniredistest.CaptureLog(t)
		addr := miniredistest.Serve(t, serve)
		miniredistest.Dial(t, addr).Close()

		// The loop reaches the second client only after it has finished
		// with the first, so by the time this reply arrives the first
		// client has been dealt with.
		next := miniredistest.Dial(t, addr)
		next.Send(miniredistest.Command("get", "hello"))
		next.Expect("-unimplemented\r\n")

		if got := logs.Messages(t); !slices.Equal(got, []string{"got"}) {
			t.Errorf("only the request is logged, not the client that left: log the error of ReadFrame unless it is io.EOF; the log: %q", logs.Lines())
		}
	})
}
