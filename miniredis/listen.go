package miniredis

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"example.com/spawning/miniredis/internal/neterr"
)

// DefaultMaxClients is how many clients a Listener lets in at once unless
// told otherwise: Redis's default maxclients.
const DefaultMaxClients = 10_000

// errMaxClients is Redis's own reply to a client past maxclients.
const errMaxClients = "-ERR max number of clients reached\r\n"

// Listener is the listener every chapter's server accepts from; make one
// with Listen or NewListener, as its zero value is not ready to use. It is a
// net.Listener with two of Redis's habits added, so that a flood of
// clients cannot stop the server and no accept loop has to know:
//
//   - When Accept fails for any reason but a closed listener, typically
//     EMFILE when the process is out of file descriptors, it waits and
//     tries again, as net/http's Server does, and logs the first failure
//     of a burst and the first success after it, not every failure.
//     The wait starts at 5 ms and doubles up to 1 s; it ends early as soon
//     as a client's connection is closed, since that frees a descriptor.
//     So Accept returns an error only once the listener is closed.
//   - A client that arrives while MaxClients are connected is told
//     "-ERR max number of clients reached" and closed, as Redis does; the
//     clients already connected are not affected. A connection counts
//     until its Close. Like Redis, the first Accept lowers MaxClients to
//     fit the process's limit on open files, keeping ReservedFiles for
//     everything else, and logs it: a client past the limit is then
//     refused at once rather than left waiting in the kernel's queue.
type Listener struct {
	net.Listener

	// MaxClients is how many connections Accept lets in at once; 0 means
	// no limit but the one on open files. Set it before the first Accept.
	MaxClients int

	clients atomic.Int64  // connections accepted and not yet closed
	freed   chan struct{} // a client closed: worth trying Accept again
	closed  chan struct{} // closed by Close
	once    sync.Once

	minDelay, maxDelay time.Duration // the retry wait's bounds

	// mu makes concurrent callers of Accept take turns, and guards the
	// fields below, which keep the log down to two lines per burst of
	// failures: one when it starts, one when Accept first works again.
	mu          sync.Mutex
	failures    int       // Accept errors in this burst
	lastFailure time.Time // when Accept last failed
	recovered   bool      // "accepting again" has been logged for this burst
	full        bool      // the last client was refused for MaxClients
	fitted      bool      // MaxClients has been fitted to the open files limit
}

// ReservedFiles is how many of the process's file descriptors a Listener
// keeps for what is not a client: the listener itself, standard input and
// output, the runtime's own, a log file. Redis keeps as many.
const ReservedFiles = 32

// fitMaxClients lowers MaxClients to what the limit on open files allows,
// and says so.
func (l *Listener) fitMaxClients() {
	files, ok := openFilesLimit()
	if !ok {
		return
	}
	fit := int(max(int64(files)-ReservedFiles, 1))
	if l.MaxClients > 0 && l.MaxClients <= fit {
		return
	}
	if l.MaxClients > 0 {
		slog.Warn("maxclients lowered to fit the limit on open files; raise the limit with ulimit -n",
			"requested", l.MaxClients, "max_clients", fit, "open_files", files, "reserved", ReservedFiles)
	}
	l.MaxClients = fit
}

// quiet is how long Accept must go without failing for the next failure to
// start a new burst, and be logged again.
const quiet = 10 * time.Second

// Listen announces on the TCP address addr, like net.Listen("tcp", addr),
// and returns a Listener that lets in DefaultMaxClients at once.
//
// When the address is taken it says what usually holds it and how to get
// past that, in the commands of the OS it runs on; IsAddrInUse still
// reports the error. An address beyond loopback, such as 0.0.0.0, is logged
// as a warning: the server has no password, so anyone who can reach it can
// read and write.
func Listen(addr string) (*Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if IsAddrInUse(err) {
		return nil, fmt.Errorf("%w\n\n%s", err, addrInUseHelp(runtime.GOOS, addr))
	}
	if err != nil {
		return nil, err
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		slog.Warn("listening beyond loopback: this server has no password, so anyone who can reach the port can read and write every key; use -addr 127.0.0.1:PORT unless that is what you want",
			"addr", ln.Addr())
	}
	return NewListener(ln), nil
}

// addrInUseHelp says what usually holds addr and how to get past it, with
// the commands of goos.
func addrInUseHelp(goos, addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		port = addr
	}
	stop, find := `or "sudo systemctl stop redis-server"`, `"ss -ltnp"`
	switch goos {
	case "darwin":
		stop, find = `or "brew services stop redis"`, `"lsof -nP -iTCP:`+port+` -sTCP:LISTEN"`
	case "windows":
		stop, find = "or stop the service that runs it (in the Services app)",
			`"netstat -ano | findstr :`+port+`" (its last column is the program's PID)`
	}
	// The port after this one is the one to suggest; 6379 is Redis's.
	next, shutdown := "6380", `"redis-cli shutdown"`
	if n, err := strconv.Atoi(port); err == nil && n > 0 && n < 65535 {
		next = strconv.Itoa(n + 1)
		if n != 6379 {
			shutdown = `"redis-cli -p ` + port + ` shutdown"`
		}
	}
	return fmt.Sprintf(`Something is already listening on %s. Usually it is one of these:
  - another chapter's server, still running in another terminal: press Ctrl-C there;
  - a real Redis server: stop it with %s
    %s.
%s shows which program holds the port. Or leave it running and pick
another port, for the server and its clients alike:
  -addr 127.0.0.1:%s for this server and for hello-redis, -p %s for redis-cli`, addr, shutdown, stop, find, next, next)
}

// NewListener wraps ln in a Listener that lets in DefaultMaxClients at once.
func NewListener(ln net.Listener) *Listener {
	return &Listener{
		Listener:   ln,
		MaxClients: DefaultMaxClients,
		freed:      make(chan struct{}, 1),
		closed:     make(chan struct{}),
		minDelay:   5 * time.Millisecond,
		maxDelay:   time.Second,
	}
}

// Accept waits for the next client and returns its connection. It returns
// an error only when the listener has been closed.
func (l *Listener) Accept() (net.Conn, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.fitted {
		l.fitMaxClients()
		l.fitted = true
	}
	var delay time.Duration
	for {
		conn, err := l.Listener.Accept()
		if errors.Is(err, net.ErrClosed) {
			return nil, err
		}
		if err != nil && l.isClosed() {
			// Some listeners say they are closed in words of their own.
			return nil, fmt.Errorf("%w: %w", net.ErrClosed, err)
		}
		if err != nil {
			delay = min(max(2*delay, l.minDelay), l.maxDelay)
			if time.Since(l.lastFailure) > quiet {
				args := []any{"err", err}
				if neterr.IsTooManyFiles(err) {
					args = append(args, "why", "out of file descriptors, one per client: lower -maxclients or raise the limit on open files")
				}
				slog.Warn("accept failed; retrying until it works", args...)
				l.failures, l.recovered = 0, false
			}
			l.failures++
			l.lastFailure = time.Now()
			l.wait(delay)
			continue
		}
		if l.failures > 0 && !l.recovered {
			slog.Info("accepting again", "failed_attempts", l.failures)
			l.recovered = true
		}
		if l.MaxClients > 0 && l.clients.Load() >= int64(l.MaxClients) {
			l.refuse(conn)
			continue
		}
		l.full = false
		l.clients.Add(1)
		return &clientConn{Conn: conn, l: l}, nil
	}
}

// wait sleeps for d, or less if a client's connection closes or the
// listener does.
func (l *Listener) wait(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-l.freed:
	case <-l.closed:
	}
}

// refuse answers a client past MaxClients with Redis's error and closes it.
func (l *Listener) refuse(conn net.Conn) {
	if !l.full {
		slog.Warn("refusing clients: max number of clients reached", "max_clients", l.MaxClients)
		l.full = true
	}
	// A new connection's send buffer is empty, so the write does not block;
	// the deadline is there in case it ever does.
	conn.SetWriteDeadline(time.Now().Add(time.Second))
	conn.Write([]byte(errMaxClients))
	conn.Close()
}

// isClosed reports whether Close has been called.
func (l *Listener) isClosed() bool {
	select {
	case <-l.closed:
		return true
	default:
		return false
	}
}

// Clients returns how many accepted connections are not yet closed.
func (l *Listener) Clients() int { return int(l.clients.Load()) }

// Close closes the listener; a waiting Accept returns net.ErrClosed.
func (l *Listener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// clientConn is an accepted connection that gives its place back to the
// Listener when it is closed, once, however many times Close is called.
type clientConn struct {
	net.Conn
	l      *Listener
	closed atomic.Bool
}

func (c *clientConn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.l.clients.Add(-1)
		select {
		case c.l.freed <- struct{}{}:
		default:
		}
	}
	return c.Conn.Close()
}
