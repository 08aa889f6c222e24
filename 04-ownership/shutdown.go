package main

import (
	"net"
	"time"

	"example.com/spawning/miniredis"
)

// shutdown asks every connection to close at its next idle moment, which
// for an idle one is at once; gives the busy ones until s.drain to be
// answered; then closes whatever is left, and waits for every connection
// goroutine to return.
func (s *server) shutdown() {
	busy := 0
	s.mu.Lock()
	for c := range s.conns {
		if !c.CloseIdle() {
			busy++
		}
	}
	s.mu.Unlock()
	if busy > 0 {
		s.log.Info("shutting down: waiting for busy connections (Ctrl-C again to force)", "busy", busy, "drain", s.drain)
	}

	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(s.drain):
		s.log.Warn("drain timed out; closing busy connections", "after", s.drain)
		s.mu.Lock()
		for _, conn := range s.conns {
			conn.Close()
		}
		s.mu.Unlock()
		<-done
	}
}

func (s *server) track(c *miniredis.Connection, conn net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns[c] = conn
}

func (s *server) untrack(c *miniredis.Connection) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
}
