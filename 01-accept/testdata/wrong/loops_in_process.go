// Wrong: process reads and answers in a loop, which is chapter 05's.
// Want: in this chapter it reads one request, answers it and returns, with no loop

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
	for {
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
}
