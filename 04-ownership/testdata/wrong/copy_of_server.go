// Wrong: each goroutine counts on a copy of the server, so every client is number 1.
// Want: passes lock by value

//go:build exercise

package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"time"

	"example.com/spawning/miniredis"
)

// server keeps hold of the goroutines it spawns, so that it can wait for
// them: the Go counterpart of keeping every JoinHandle and awaiting it.
type server struct {
	handler func(c *miniredis.Connection, client int) // process, or a stand-in in tests
	drain   time.Duration                             // how long shutdown waits for busy connections
	conns   miniredis.Conns                           // the open connections, for shutdown
	wg      sync.WaitGroup                            // one count per connection goroutine

	// mu guards served. Every connection goroutine changes it, so each
	// must hold mu to read or write it: the Mutex of Arc<Mutex<T>>, with
	// the server as the Arc.
	mu     sync.Mutex
	served int // how many clients the server has taken on
}

func newServer(drain time.Duration) *server {
	return &server{handler: process, drain: drain}
}

// serve accepts connections and hands each one to a goroutine of its own.
// When ctx is cancelled it stops accepting, and it returns once every
// connection goroutine has finished: nil after a cancellation, the Accept
// error otherwise.
func (s *server) serve(ctx context.Context, ln net.Listener) error {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	for {
		conn, err := ln.Accept()
		if err != nil {
			// Ask every connection to finish (miniredis.Conns), then wait for
			// every goroutine spawned, as awaiting each JoinHandle would.
			// done stops the drain's timer: call it once the wait is over.
			done := s.conns.Shutdown(s.drain)
			s.wg.Wait()
			done()
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		c := s.conns.Add(conn)
		// wg.Go counts the goroutine in before it starts and out when it
		// returns, so Wait cannot miss one.
		s.wg.Go(func() {
			defer s.conns.Remove(c)
			defer c.Close()
			defer recoverPanic(c)
			s.handler(c, s.newClient())
		})
	}
}

// newClient counts one more client and returns its number. It holds mu for
// the count alone, never while talking to a client: a lock held across I/O
// would make every other connection wait for this one, as in 01-accept.
func (s server) newClient() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.served++
	return s.served
}

// recoverPanic turns a panic in one connection's goroutine into a log
// line. Without it the panic would end the whole process and every other
// client with it; Tokio would have caught it and handed back a JoinError.
func recoverPanic(c *miniredis.Connection) {
	if v := recover(); v != nil {
		slog.Error("panic serving connection", "remote", c.RemoteAddr(), "panic", v, "stack", string(debug.Stack()))
	}
}

// process reads one request, logs it with the client's number, and answers
// with an error: the server does not know any command yet.
func process(c *miniredis.Connection, client int) {
	frame, err := c.ReadFrame()
	if err != nil {
		// A client that hangs up or breaks the protocol is the client's
		// doing, not something the server's operator must act on.
		if !errors.Is(err, io.EOF) {
			slog.Info("read failed", "remote", c.RemoteAddr(), "err", err)
		}
		return
	}
	slog.Info("got", "client", client, "frame", frame.String())

	if err := c.WriteFrame(miniredis.Error("unimplemented")); err != nil {
		slog.Info("write failed", "remote", c.RemoteAddr(), "err", err)
	}
}
