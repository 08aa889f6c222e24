package miniredis

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"
)

// Debug is the -debug flag of the chapters' servers, the Go counterpart of
// tokio-console: an HTTP server, beside the Redis one, that shows the
// process from the inside while it runs. It serves net/http/pprof under
// /debug/pprof/ (/debug/pprof/goroutine?debug=1 lists every goroutine and
// where it waits) and, at /, a few live counters: open connections,
// goroutines, requests served. It is off unless -debug is given.
//
// It listens on loopback only: a profile shows the program's insides and
// costs CPU to take, so an address beyond loopback is refused unless
// -debug-public says so too.
type Debug struct {
	addr   string
	public bool
}

// DebugFlag defines -debug and -debug-public on the command line's flag
// set. Call Serve once the server listens.
func DebugFlag() *Debug {
	d := &Debug{}
	flag.StringVar(&d.addr, "debug", "", "serve pprof and live counters over HTTP on `host:port`, such as 127.0.0.1:6060")
	flag.BoolVar(&d.public, "debug-public", false, "let -debug listen beyond loopback")
	return d
}

// replies counts the replies that servers' connections have written, for
// the debug page; counting is on once a debug server runs.
var (
	counting atomic.Bool
	replies  atomic.Int64
)

// Serve starts the debug server for ln in a goroutine of its own, if
// -debug was given, and logs where it listens. The server runs until the
// process ends.
func (d *Debug) Serve(ln *Listener) error {
	if d.addr == "" {
		return nil
	}
	_, addr, err := serveDebug(d.addr, d.public, ln)
	if err != nil {
		return err
	}
	slog.Info("debug server", "url", "http://"+addr.String()+"/", "goroutines", "http://"+addr.String()+"/debug/pprof/goroutine?debug=1")
	return nil
}

// serveDebug listens on addr and serves the debug pages of ln there, until
// the server it returns is closed.
func serveDebug(addr string, public bool, ln *Listener) (*http.Server, net.Addr, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("-debug %s: %w", addr, err)
	}
	if !public && !isLoopback(host) {
		return nil, nil, fmt.Errorf("-debug %s: the debug server shows the process's insides to whoever reaches it, so it listens on loopback only, such as 127.0.0.1:6060; add -debug-public to listen on %s anyway", addr, addr)
	}
	dl, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("-debug: %w", err)
	}
	counting.Store(true)
	srv := &http.Server{Handler: debugMux(ln), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(dl)
	return srv, dl.Addr(), nil
}

// isLoopback says whether host names this machine only: localhost or a
// loopback address. An empty host means every interface.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// debugMux is the debug server's pages, on a ServeMux of its own: nothing
// here serves http.DefaultServeMux, on which importing net/http/pprof
// also registers its handlers.
func debugMux(ln *Listener) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "%s, pid %d\n\n", filepath.Base(os.Args[0]), os.Getpid())
		fmt.Fprintf(w, "open connections  %d\n", ln.Clients())
		fmt.Fprintf(w, "goroutines        %d\n", runtime.NumGoroutine())
		fmt.Fprintf(w, "requests served   %d\n", replies.Load())
		fmt.Fprintf(w, "\n/debug/pprof/                     the profiles\n")
		fmt.Fprintf(w, "/debug/pprof/goroutine?debug=1    every goroutine, grouped by where it is\n")
		fmt.Fprintf(w, "/debug/pprof/trace?seconds=1      an execution trace, for go tool trace\n")
	})
	return mux
}
