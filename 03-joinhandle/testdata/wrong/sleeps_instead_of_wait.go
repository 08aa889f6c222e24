// Wrong: serve sleeps for a while instead of waiting for its goroutines.
// Want: a sleep is not a wait

//go:build exercise

package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"time"

	"example.com/spawning/miniredis"
)

// server keeps hold of the goroutines it spawns, so that it can wait for
// them: the Go counterpart of keeping every JoinHandle and awaiting it.
type server struct {
	handler func(*miniredis.Connection) // process, or a stand-in in tests
	drain   time.Duration               // how long shutdown waits for busy connections
	conns   miniredis.Conns             // the open connections, for shutdown
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
			// Long enough for any request to finish.
			time.Sleep(100 * time.Millisecond)
			done()
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		c := s.conns.Add(conn)
		// wg.Go counts the goroutine in before it starts and out when it
		// returns, so Wait cannot miss one.
		go func() {
			defer s.conns.Remove(c)
			defer c.Close()
			defer recoverPanic(c)
			s.handler(c)
		}()
	}
}

// recoverPanic turns a panic in one connection's goroutine into a log
// line. Without it the panic would end the whole process and every other
// client with it; Tokio would have caught it and handed back a JoinError.
func recoverPanic(c *miniredis.Connection) {
	if v := recover(); v != nil {
		slog.Error("panic serving connection", "remote", c.RemoteAddr(), "panic", v, "stack", string(debug.Stack()))
	}
}

// process reads one request, logs it, and answers with an error: the
// server does not know any command yet.
func process(c *miniredis.Connection) {
	frame, err := c.ReadFrame()
	if err != nil {
		// A client that hangs up or breaks the protocol is the client's
		// doing, not something the server's operator must act on.
		if !errors.Is(err, io.EOF) {
			slog.Info("read failed", "remote", c.RemoteAddr(), "err", err)
		}
		return
	}
	slog.Info("got", "frame", frame.String())

	if err := c.WriteFrame(miniredis.Error("unimplemented")); err != nil {
		slog.Info("write failed", "remote", c.RemoteAddr(), "err", err)
	}
}
