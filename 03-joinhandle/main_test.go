package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runAs names the environment variable that makes TestMain run main, or
// another stand-in program, instead of the tests.
const runAs = "JOINHANDLE_TEST_RUN_AS"

// runSelf starts this test binary again as a child process that runs what
// runAs says, with args as its command line. The child is killed if the
// test runs out of time.
func runSelf(t *testing.T, what string, args ...string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*miniredistest.Timeout)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	// Under -race the child is a race-enabled binary, which by default
	// waits a second before it exits; the test has no use for that wait.
	cmd.Env = append(os.Environ(), runAs+"="+what, "GORACE="+os.Getenv("GORACE")+" atexit_sleep_ms=0")
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	// If the test fails half-way, the child must not outlive it.
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd, bufio.NewScanner(stderr)
}

func TestMainShutsDownOnSIGINT(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send on Windows")
	}
	cmd, stderr := runSelf(t, "server", "-addr", "127.0.0.1:0")

	// main logs the address it listens on: "... INFO listening addr=127.0.0.1:PORT".
	var addr string
	var logs []string
	for addr == "" && stderr.Scan() {
		logs = append(logs, stderr.Text())
		if _, a, ok := strings.Cut(stderr.Text(), "INFO listening addr="); ok {
			addr = a
		}
	}
	require.NotEmpty(t, addr, "no listening line in %q", logs)

	// The server accepts connections in the order they arrive, so once
	// the second client is answered the first has been accepted too.
	idle := miniredistest.Dial(t, addr)
	busy := miniredistest.Dial(t, addr)
	busy.Send(miniredistest.Command("PING"))
	busy.Expect("-unimplemented\r\n")

	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	idle.ExpectClosed()

	for stderr.Scan() {
		logs = append(logs, stderr.Text())
	}
	require.NoError(t, cmd.Wait(), "main exits with status 0; its log: %q", logs)
	assert.Contains(t, logs[len(logs)-1], "INFO stopped")
}
