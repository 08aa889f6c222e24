//go:build !exercise

package main

import (
	"errors"
	"io"
	"log/slog"
	"net"

	"example.com/spawning/miniredis"
)

// serve accepts connections and hands each one to a goroutine of its own,
// so the server talks to every client at once. It returns when the
// listener is closed.
func serve(ln net.Listener) error {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return err
		}
		// The go statement is tokio::spawn: process runs concurrently and
		// the loop goes straight back to Accept.
		go process(conn)
	}
}

// process reads one request, logs it, and answers with an error: the
// server does not know any command yet.
func process(conn net.Conn) {
	c := miniredis.NewConnection(conn)
	defer c.Close()

	frame, err := c.ReadFrame()
	if err != nil {
		// A client that hangs up or breaks the protocol is the client's
		// doing, not something the server's operator must act on.
		if !errors.Is(err, io.EOF) {
			slog.Info("read failed", "remote", conn.RemoteAddr(), "err", err)
		}
		return
	}
	slog.Info("got", "frame", frame.String())

	if err := c.WriteFrame(miniredis.Error("unimplemented")); err != nil {
		slog.Info("write failed", "remote", conn.RemoteAddr(), "err", err)
	}
}
