// Wrong: the accept loop logs an Accept error and goes round again.
// Want: when Accept returns an error, return it from serve

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
			slog.Error("accept", "err", err)
			continue
		}
		go process(conn)
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
