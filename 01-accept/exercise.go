//go:build exercise

package main

import (
	"errors"
	"net"
)

// serve should accept connections and handle each one to the end before
// it accepts the next. It returns only when Accept fails, which happens
// once the listener is closed.
func serve(ln net.Listener) error {
	// TODO: loop forever: take the next connection with ln.Accept() and
	// hand it to process. If Accept returns an error, return that error.
	return errors.New("serve is not written yet: see the TODO in 01-accept/exercise.go")
}

// process should read one request, log it, and answer with the error
// "unimplemented": the server does not know any command yet.
func process(conn net.Conn) {
	// TODO: wrap conn with miniredis.NewConnection and close it when done.
	// Read one request with ReadFrame. If that fails there is nothing to
	// answer: return, after logging any error but io.EOF (a client that
	// hung up) with slog.Info("read failed", "err", err). Log the request
	// with slog.Info("got", "frame", frame.String()), then answer with
	// WriteFrame(miniredis.Error("unimplemented")).
	conn.Close()
}
