// Command 02-spawn is a Redis server that serves every client at once,
// one goroutine per connection.
// Run it, then talk to it from another terminal:
//
//	go run ./02-spawn
//	go run ./hello-redis
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"example.com/spawning/miniredis"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "listen on `host:port`")
	flag.Parse()

	ln, err := miniredis.Listen(*addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	slog.Info("listening", "addr", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- serve(ln) }()

	// Ctrl-C stops the server; connections still open end with the process.
	select {
	case <-ctx.Done():
		ln.Close()
		slog.Info("stopped")
	case err := <-errc:
		slog.Error("serve", "err", err)
		os.Exit(1)
	}
}
