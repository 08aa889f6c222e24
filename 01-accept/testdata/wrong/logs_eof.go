// Wrong: process logs every read error, io.EOF from a client that left included.
// Want: only the request is logged, not the client that left

//go:build exercise

package main

import (
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
	c := miniredis.NewConnection(conn)
	defer c.Close()
	frame, err := c.ReadFrame()
	if err != nil {
		slog.Info("read failed", "err", err)
		return
	}
	slog.Info("got", "frame", frame.String())
	c.WriteFrame(miniredis.Error("unimplemented"))
}
