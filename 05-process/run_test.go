package main

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"example.com/spawning/miniredis"
	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// runAs names the environment variable that makes TestMain run main
// instead of the tests, and nofile the one that sets the child's limit on
// open files first, as "ulimit -n" would.
const (
	runAs  = "PROCESS_TEST_RUN_AS"
	nofile = "PROCESS_TEST_NOFILE"
)

func TestMain(m *testing.M) {
	if os.Getenv(runAs) == "server" {
		if n, err := strconv.ParseUint(os.Getenv(nofile), 10, 64); err == nil {
			if err := setOpenFilesLimit(n); err != nil {
				panic(err)
			}
		}
		main()
		return
	}
	// Every test ends with every goroutine it started gone.
	goleak.VerifyTestMain(m)
}

// child is this test binary run again as the chapter's server.
type child struct {
	cmd  *exec.Cmd
	addr string

	mu   sync.Mutex
	logs []string // what the server has logged so far
	done chan struct{}
}

// runServer starts main in a child process with args and the environment
// env added, and returns once it listens.
func runServer(t *testing.T, env []string, args ...string) *child {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the test stops the server with os.Interrupt, which Go cannot send to another process on Windows")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 4*miniredistest.Timeout)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, os.Args[0], append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	// Under -race the child is a race-enabled binary, which by default
	// waits a second before it exits; the test has no use for that wait.
	cmd.Env = append(append(os.Environ(), runAs+"=server", "GORACE="+os.Getenv("GORACE")+" atexit_sleep_ms=0"), env...)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})

	c := &child{cmd: cmd, done: make(chan struct{})}
	listening := make(chan string, 1)
	go func() {
		defer close(c.done)
		lines := bufio.NewScanner(stderr)
		for lines.Scan() {
			c.mu.Lock()
			c.logs = append(c.logs, lines.Text())
			c.mu.Unlock()
			// "... INFO listening addr=127.0.0.1:PORT"
			if _, addr, ok := strings.Cut(lines.Text(), "INFO listening addr="); ok {
				listening <- addr
			}
		}
	}()
	c.addr = miniredistest.Receive(t, listening)
	return c
}

// stop sends SIGINT, waits for the server to exit, and returns its log.
func (c *child) stop(t *testing.T) string {
	t.Helper()
	require.NoError(t, c.cmd.Process.Signal(os.Interrupt))
	miniredistest.Receive(t, c.done)
	err := c.cmd.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	log := strings.Join(c.logs, "\n")
	require.NoError(t, err, "the server exits with status 0; its log:\n%s", log)
	return log
}

var ping = miniredistest.Command("ping")

func TestLowOpenFilesLimit(t *testing.T) {
	needProcess(t)
	if !hasOpenFilesLimit {
		t.Skip("the test lowers the limit on open files, as ulimit -n does, and " + runtime.GOOS + " has no such limit")
	}
	// Under "ulimit -n 64" the server keeps miniredis.ReservedFiles of
	// its descriptors for itself and lets in as many clients as are left,
	// as Redis does: it says so when it starts.
	const files = 64
	fit := files - miniredis.ReservedFiles
	srv := runServer(t, []string{nofile + "=" + strconv.Itoa(files)})

	// The clients come one at a time, so that they are let in in order.
	// Past the limit each one is told so at once: none is left waiting
	// for a descriptor in the kernel's queue, with no reply.
	clients := make([]*miniredistest.Conn, fit)
	for i := range clients {
		clients[i] = miniredistest.Dial(t, srv.addr)
		clients[i].Send(ping)
		clients[i].Expect("+PONG\r\n", "client", strconv.Itoa(i+1), "of the", strconv.Itoa(fit), "that fit is answered")
	}
	for range 10 {
		refused := miniredistest.Dial(t, srv.addr)
		refused.Expect("-ERR max number of clients reached\r\n",
			"a client past what ulimit -n allows is refused with Redis's error, not left hanging")
		refused.ExpectClosed()
	}

	// A client the server closes makes room for the next; the room is
	// made before the close reaches the client (see TestMaxClients).
	clients[0].Send("*1\r\n$x\r\n")
	clients[0].Expect("-ERR Protocol error: invalid bulk length\r\n")
	clients[0].ExpectClosed()
	next := miniredistest.Dial(t, srv.addr)
	next.Send(ping)
	next.Expect("+PONG\r\n")
	next.Close()
	for _, c := range clients[1:] {
		c.Close()
	}

	log := srv.stop(t)
	assert.Contains(t, log, "maxclients lowered to fit the limit on open files")
	assert.Contains(t, log, "max_clients="+strconv.Itoa(fit)+" open_files="+strconv.Itoa(files))
	assert.NotContains(t, log, "accept failed", "no Accept runs out of descriptors")
}

func TestMaxClientsBelowOne(t *testing.T) {
	needProcess(t)
	for _, arg := range []string{"0", "-1", "many"} {
		t.Run("-maxclients "+arg+" is refused at start", func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-addr", "127.0.0.1:0", "-maxclients", arg)
			cmd.Env = append(os.Environ(), runAs+"=server")
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "the server does not start; it said:\n%s", out)
			assert.Equal(t, 2, exit.ExitCode())
			assert.Contains(t, string(out), `invalid value "`+arg+`" for flag -maxclients: argument must be between 1 and 2147483647 inclusive`)
		})
	}
}

func TestMaxClients(t *testing.T) {
	needProcess(t)
	srv := runServer(t, nil, "-maxclients", "2")

	a, b := miniredistest.Dial(t, srv.addr), miniredistest.Dial(t, srv.addr)
	for _, c := range []*miniredistest.Conn{a, b} {
		c.Send(ping)
		c.Expect("+PONG\r\n")
	}

	refused := miniredistest.Dial(t, srv.addr)
	refused.Expect("-ERR max number of clients reached\r\n")
	refused.ExpectClosed()

	// The clients already in are not affected.
	b.Send(miniredistest.Command("set", "k", "v"))
	b.Expect("+OK\r\n")

	// A request that breaks the protocol makes the server close A. It
	// gives A's place back before the close reaches A, so once A sees it,
	// the next client is let in.
	a.Send("*1\r\n$x\r\n")
	a.Expect("-ERR Protocol error: invalid bulk length\r\n")
	a.ExpectClosed()
	next := miniredistest.Dial(t, srv.addr)
	next.Send(ping)
	next.Expect("+PONG\r\n")

	b.Close()
	next.Close()
	log := srv.stop(t)
	assert.Contains(t, log, "refusing clients: max number of clients reached")
}

func TestClientsThatHangUpAreQuietUnlessVerbose(t *testing.T) {
	needProcess(t)
	// A hundred clients hang up half-way through a request. Each one shuts
	// its side and waits for the server to close the connection: the
	// server logs (or not) before it closes, so once every client has seen
	// its close, every line the server would write is written.
	hangUp := func(srv *child) {
		for range 100 {
			c := miniredistest.Dial(t, srv.addr)
			c.Send("*2\r\n$3\r\nget\r\n")
			require.NoError(t, c.NetConn().(*net.TCPConn).CloseWrite())
			c.ExpectClosed("a request cut short ends the connection")
			c.Close()
		}
	}

	quiet := runServer(t, nil)
	hangUp(quiet)
	if n := strings.Count(quiet.stop(t), "read failed"); n > 0 {
		t.Fatalf("a client that leaves mid-request is not news: log it with slog.Debug, which the server shows "+
			"only with -v, as Redis logs nothing of it; the server logged %d such lines for 100 clients", n)
	}

	verbose := runServer(t, nil, "-v")
	hangUp(verbose)
	assert.Equal(t, 100, strings.Count(verbose.stop(t), "read failed"), "with -v, one line per client")
}
