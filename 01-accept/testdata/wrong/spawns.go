// Wrong: the accept loop hands each connection to a goroutine, which is the next chapter.
// Want: this chapter serves one client at a time, so call process(conn) directly, without go

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
	}
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
