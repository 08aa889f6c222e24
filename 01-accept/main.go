// Command 01-accept is a Redis server that serves one client at a time.
// Run it, then talk to it from another terminal:
//
//	go run ./01-accept
//	go run ./hello-redis
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"

	"example.com/spawning/miniredis"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "listen on `host:port`")
	debug := miniredis.DebugFlag()
	flag.Parse()

	ln, err := miniredis.Listen(*addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	slog.Info("listening", "addr", ln.Addr())
	if err := debug.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}

	// serve runs until the process ends: Ctrl-C stops the server, and every
	// connection still open ends with it. It returns only if the listener
	// fails for good.
	err = serve(ln)
	slog.Error("serve", "err", err)
	os.Exit(1)
}
