// Wrong: serve handles one connection and returns.
// Want: the accept loop must keep accepting until Accept fails

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
	conn, err := ln.Accept()
	if err != nil {
		return err
	}
	process(conn)
	return nil
}

func process(conn net.Conn) {
	c := miniredis.NewConnection(conn)
	defer c.Close()

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
