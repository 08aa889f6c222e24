package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

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
			if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
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
		t.Skip("needs rlimits and SIGINT")
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

func TestOutOfFileDescriptors(t *testing.T) {
	needProcess(t)
	// With 32 files the server can hold some twenty connections: the rest
	// of the descriptors are the runtime's, the listener's and stdio's.
	srv := runServer(t, []string{nofile + "=32"})

	// Sixty clients connect at once. The kernel queues them all; the server
	// accepts until it runs out of descriptors, then Accept fails with
	// EMFILE. Each client is answered, then hangs up, which frees a
	// descriptor for the next one.
	const n = 60
	clients := make([]*miniredistest.Conn, n)
	for i := range clients {
		clients[i] = miniredistest.Dial(t, srv.addr)
		clients[i].Send(ping)
	}
	for i, c := range clients {
		c.Expect("+PONG\r\n", "client", strconv.Itoa(i), "of", strconv.Itoa(n), "was not answered:",
			"the server must keep accepting after Accept fails for want of file descriptors")
		c.Close()
	}

	after := miniredistest.Dial(t, srv.addr)
	after.Send(ping)
	after.Expect("+PONG\r\n")
	after.Close()

	log := srv.stop(t)
	assert.Contains(t, log, "accept failed; retrying until it works")
	assert.Contains(t, log, "too many open files")
	assert.Equal(t, 1, strings.Count(log, "accept failed"), "one line per burst of failures:\n%s", log)
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
