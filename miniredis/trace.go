package miniredis

import (
	"context"
	"runtime/trace"
)

// While an execution trace is being taken (go test -trace, or
// runtime/trace.Start), a server's Connection logs on it which client its
// goroutine is waiting for, when the request arrives and when the reply
// is written, each with the client's address. That is how `go run
// ./workshop trace` names a goroutine by its client: the trace alone says
// when a goroutine ran and waited, not for whom. Without a trace, each
// costs one atomic load (trace.IsEnabled).

// Trace categories, the first argument of trace.Log, that a Connection
// logs with the client's address as the message.
const (
	TraceRead    = "miniredis.read"    // the goroutine starts waiting for a request
	TraceRequest = "miniredis.request" // a whole request has arrived
	TraceReply   = "miniredis.reply"   // the reply is written
)

// note logs what on the execution trace, against the calling goroutine,
// if a trace is being taken and c is a server's connection; it also counts
// the replies for the debug page (see Debug), once a debug server runs.
// A reply is noted once it is buffered, just before it is flushed: on a
// timeline the two are the same moment.
func (c *Connection) note(what string) {
	// With no trace and no debug server, this is two atomic loads.
	if c.client || !counting.Load() && !trace.IsEnabled() {
		return
	}
	if what == TraceReply && counting.Load() {
		replies.Add(1)
	}
	if trace.IsEnabled() {
		trace.Log(context.Background(), what, c.conn.RemoteAddr().String())
	}
}
