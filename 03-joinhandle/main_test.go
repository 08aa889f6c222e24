package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"testing"

	"example.com/spawning/miniredis/miniredistest"
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
