package main

import (
	"strings"
	"sync"

	"example.com/spawning/miniredis"
)

// hits counts requests by command name across every connection: one
// value, shared and written by all of them, so a mutex guards it.
type hits struct {
	mu     sync.Mutex
	byName map[string]int64
}

func newHits() *hits { return &hits{byName: map[string]int64{}} }

// serveHoldingLock answers one request with how many requests of its kind
// the server has seen. It is wrong: the deferred Unlock keeps h.mu locked
// while the reply is written, and a write blocks until the client takes
// the bytes. One client that does not read holds the lock, and every other
// connection waits behind it.
//
// This is the Go form of a MutexGuard held across an .await. rustc
// refuses that for a std::sync::MutexGuard because the guard is not Send,
// not because of the stall: with tokio::sync::Mutex the same code compiles
// and stalls just as this does. Go compiles it too, vet says nothing, and
// the race detector says nothing either: there is no race, only a lock
// held too long.
func (h *hits) serveHoldingLock(c *miniredis.Connection) {
	name, ok := readName(c)
	if !ok {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.byName[name]++
	// A write error means the client is gone; there is no one to tell.
	_ = c.WriteFrame(miniredis.Integer(h.byName[name]))
}

// serveReleasingLock is the fix, the counterpart of dropping the guard
// before the .await: copy what the reply needs while holding the lock,
// unlock, and only then write.
func (h *hits) serveReleasingLock(c *miniredis.Connection) {
	name, ok := readName(c)
	if !ok {
		return
	}
	h.mu.Lock()
	h.byName[name]++
	n := h.byName[name]
	h.mu.Unlock()
	_ = c.WriteFrame(miniredis.Integer(n))
}

// readName reads one request and returns its command name in lower case.
func readName(c *miniredis.Connection) (string, bool) {
	frame, err := c.ReadFrame()
	if err != nil {
		return "", false
	}
	arr, ok := frame.(miniredis.Array)
	if !ok || len(arr) == 0 {
		return "", false
	}
	name, ok := arr[0].(miniredis.Bulk)
	return strings.ToLower(string(name)), ok
}
