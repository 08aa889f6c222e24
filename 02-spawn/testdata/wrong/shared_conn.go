// Wrong: every goroutine reads one conn variable declared outside the loop.
// Want: Does every goroutine serve its own connection?

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
	var conn net.Conn
	var err error
	for {
		conn, err = ln.Accept()
		if err != nil {
			return err
		}
		go func() {
			process(conn)
		}()
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
