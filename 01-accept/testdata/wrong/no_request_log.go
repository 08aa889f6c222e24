// Wrong: process answers without logging the request.
// Want: process must log each request

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
	c := miniredis.NewConnection(conn)
	defer c.Close()
	if _, err := c.ReadFrame(); err != nil {
		if !errors.Is(err, io.EOF) {
			slog.Info("read failed", "err", err)
		}
		return
	}
	c.WriteFrame(miniredis.Error("unimplemented"))
}
