// Wrong: the accept loop closes each connection right after starting its goroutine.
// Want: client B's connection was closed before it was answered

//go:build exercise

package main

import (
	"errors"
	"io"
	"log/slog"
	"net"

	"example.com/spawning/miniredis"
)

func serve(ln net.Listener) error {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return err
		}
		go process(conn)
		conn.Close()
	}
}

func process(conn net.Conn) {
	c := miniredis.NewConnection(conn)
	defer c.Close()

	frame, err := c.ReadFrame()
	if err != nil {
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
