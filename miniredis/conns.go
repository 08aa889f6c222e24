package miniredis

import (
	"log/slog"
	"net"
	"sync"
	"time"
)

// Conns is the set of a server's open connections, kept so that a graceful
// shutdown can reach every one of them: idle connections are closed at
// once, and busy ones are left to answer the request they are in, for as
// long as the server allows. Its zero value is an empty set, ready to use,
// and its methods may be called from any goroutine.
type Conns struct {
	mu  sync.Mutex
	set map[*Connection]struct{}
}

// Add wraps a newly accepted connection and keeps it in the set.
func (cs *Conns) Add(conn net.Conn) *Connection {
	c := NewConnection(conn)
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.set == nil {
		cs.set = map[*Connection]struct{}{}
	}
	cs.set[c] = struct{}{}
	return c
}

// Remove forgets a connection whose goroutine is done with it.
func (cs *Conns) Remove(c *Connection) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	delete(cs.set, c)
}

// Shutdown asks every connection to close at its next idle moment, which
// for an idle one is at once (see CloseIdle), and aborts the ones still in
// the set once drain has passed. Call done when every connection goroutine
// has returned, to cancel that last step.
func (cs *Conns) Shutdown(drain time.Duration) (done func()) {
	busy := 0
	cs.mu.Lock()
	for c := range cs.set {
		if !c.CloseIdle() {
			busy++
		}
	}
	cs.mu.Unlock()
	if busy > 0 {
		slog.Info("shutting down: waiting for busy connections (a second Ctrl-C stops at once)", "busy", busy, "drain", drain)
	}
	timer := time.AfterFunc(drain, func() {
		slog.Warn("drain timed out; closing busy connections", "after", drain)
		cs.mu.Lock()
		defer cs.mu.Unlock()
		for c := range cs.set {
			c.Abort()
		}
	})
	return func() { timer.Stop() }
}
