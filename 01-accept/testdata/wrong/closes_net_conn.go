// Wrong: process closes the net.Conn, not the Connection that holds its reply.
// Want: close the Connection (defer c.Close())

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
		process(conn)
	}
}

func process(conn net.Conn) {
	defer conn.Close()
	c := miniredis.NewConnection(conn)
	frame, err := c.ReadFrame()
	if err != nil {
		if !errors.Is(err, io.EOF) {
			slog.Info("read failed", "err", err)
		}
		return
	}
	slog.Info("got", "frame", frame.String())
	c.WriteFrame(miniredis.Error("unimplemented"))
}
