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
// them: the Go counterpart of keeping every JoinHandle and awaiting them.
type server struct {
	handler func(*miniredis.Connection, *slog.Logger) // process, or a stand-in in tests
	drain   time.Duration                             // how long shutdown waits for busy connections

	// log is shared by every connection goroutine: one *slog.Logger that
	// nothing changes after newServer (With returns a new Logger), so it
	// needs no lock of ours. Its writes are serialised inside slog, whose
	// handlers are safe for concurrent use. The garbage collector frees it
	// after the last goroutine is done with it. That is an Arc<T> with
	// T: Sync in Tokio.
	log *slog.Logger

	wg sync.WaitGroup // one count per connection goroutine

	// mu guards conns: every open connection, with its net.Conn, which
	// unlike the Connection may be closed from another goroutine.
	mu    sync.Mutex
	conns map[*miniredis.Connection]net.Conn
}

func newServer(drain time.Duration, log *slog.Logger) *server {
	return &server{handler: process, drain: drain, log: log, conns: map[*miniredis.Connection]net.Conn{}}
}

// serve accepts connections and hands each one to a goroutine of its own.
// When ctx is cancelled or the listener is closed it stops accepting and
// shuts down: it returns once every connection goroutine has finished.
// It returns nil after a cancellation and the Accept error otherwise.
func (s *server) serve(ctx context.Context, ln net.Listener) error {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	for {
		conn, err := ln.Accept()
		if err != nil {
			s.shutdown()
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		c := miniredis.NewConnection(conn)
		s.track(c, conn)
		s.wg.Go(func() {
			defer s.untrack(c)
			defer c.Close()
			defer s.recoverPanic(c)
			s.handler(c, s.log)
		})
	}
}

// recoverPanic turns a panic in one connection's goroutine into a log
// line. Without it the panic would end the whole process and every other
// client with it; Tokio would have caught it and handed back a JoinError.
func (s *server) recoverPanic(c *miniredis.Connection) {
	if v := recover(); v != nil {
		s.log.Error("panic serving connection", "remote", c.RemoteAddr(), "panic", v, "stack", string(debug.Stack()))
	}
}

// process answers SET and GET until the client leaves. Each connection
// has a map of its own, so a value set on one connection cannot be read
// from another.
func process(c *miniredis.Connection, log *slog.Logger) {
	// With returns a new Logger for this connection; the shared one is
	// never changed.
	log = log.With("remote", c.RemoteAddr())
	db := map[string][]byte{}

	for {
		frame, err := c.ReadFrame()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				log.Warn("read failed", "err", err)
			}
			return
		}

		var response miniredis.Frame
		cmd, err := miniredis.ParseCommand(frame)
		switch cmd := cmd.(type) {
		case nil:
			// ParseCommand refused the request: the wrong number of arguments,
			// SET's syntax error, or a frame that is not a command. err's text
			// is Redis's own reply.
			response = miniredis.Error(err.Error())
		case miniredis.Set:
			db[cmd.Key] = cmd.Value
			response = miniredis.Simple("OK")
		case miniredis.Get:
			if value, ok := db[cmd.Key]; ok {
				response = miniredis.Bulk(value)
			} else {
				response = miniredis.Null{}
			}
		case miniredis.Unknown:
			// Tokio's version panics here. In Go that panic would stop the
			// whole server, and every client sends commands we do not know:
			// go-redis opens with HELLO and CLIENT SETINFO. Redis answers
			// with an error and keeps the connection; so do we.
			response = cmd.Reply()
		}

		if err := c.WriteFrame(response); err != nil {
			log.Warn("write failed", "err", err)
			return
		}
	}
}
