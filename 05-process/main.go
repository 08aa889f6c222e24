// Command 05-process is a Redis server that answers SET, GET, PING and ECHO,
// one goroutine per connection, each with a store of its own.
// Run it, then talk to it from another terminal:
//
//	go run ./05-process
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
	"time"

	"example.com/spawning/miniredis"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "listen on `host:port`")
	drain := flag.Duration("drain", 5*time.Second, "on shutdown, how long busy connections have to finish")
	maxClients := miniredis.MaxClientsFlag()
	verbose := flag.Bool("v", false, "log every client that hangs up mid-request or breaks the protocol")
	debug := miniredis.DebugFlag()
	flag.Parse()
	if *verbose {
		slog.SetLogLoggerLevel(slog.LevelDebug)
	}

	ln, err := miniredis.Listen(*addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ln.MaxClients = *maxClients
	slog.Info("listening", "addr", ln.Addr())
	if err := debug.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}

	// Ctrl-C is os.Interrupt, and so is Ctrl-Break on Windows. SIGTERM is
	// what kill and systemd send; on Windows, Go reports closing the console
	// window, logging off and shutting down as SIGTERM, and Windows ends the
	// process soon after, whether or not it has finished.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal, a second one ends the process at once.
	context.AfterFunc(ctx, stop)

	if err := newServer(*drain).serve(ctx, ln); err != nil {
		slog.Error("serve", "err", err)
		os.Exit(1)
	}
	slog.Info("stopped")
}
