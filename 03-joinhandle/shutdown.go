package main

import (
	"log/slog"
	"net"
	"sync"
	"time"

	"example.com/spawning/miniredis"
)

// conns is the set of open connections, kept so that a shutdown can reach
// every one of them: idle ones are closed at once, busy ones are left to
// answer the request they are in, for up to drain.
type conns struct {
	drain time.Duration

	mu  sync.Mutex
	set map[*miniredis.Connection]struct{}
}

func newConns(drain time.Duration) *conns {
	return &conns{drain: drain, set: map[*miniredis.Connection]struct{}{}}
}

// add wraps a new connection and keeps it in the set.
func (cs *conns) add(conn net.Conn) *miniredis.Connection {
	c := miniredis.NewConnection(conn)
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.set[c] = struct{}{}
	return c
}

// remove forgets a connection whose goroutine is done with it.
func (cs *conns) remove(c *miniredis.Connection) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	delete(cs.set, c)
}

// shutdown asks every connection to close at its next idle moment, which
// for an idle one is at once, and aborts the ones still open once the
// drain has run out. Call done when every connection goroutine has
// returned, to cancel that last step.
func (cs *conns) shutdown() (done func()) {
	busy := 0
	cs.mu.Lock()
	for c := range cs.set {
		if !c.CloseIdle() {
			busy++
		}
	}
	cs.mu.Unlock()
	if busy > 0 {
		slog.Info("shutting down: waiting for busy connections (Ctrl-C again to force)", "busy", busy, "drain", cs.drain)
	}
	timer := time.AfterFunc(cs.drain, func() {
		slog.Warn("drain timed out; closing busy connections", "after", cs.drain)
		cs.mu.Lock()
		defer cs.mu.Unlock()
		for c := range cs.set {
			c.Abort()
		}
	})
	return func() { timer.Stop() }
}
