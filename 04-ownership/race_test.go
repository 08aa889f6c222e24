//go:build !exercise

package main

import (
	"bytes"
	"os/exec"
	"regexp"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// raceUnavailable matches what the go command says when it cannot build
// with -race here: an unsupported platform, or no cgo or C compiler.
var raceUnavailable = regexp.MustCompile(`-race is not supported|-race requires cgo|C compiler .* not found`)

// runRacy runs the racy tests of racy_test.go under the race detector, in
// a go test of their own. It runs once per test binary: the result cannot
// change, and go test -count=50 need not build the package fifty times.
var runRacy = sync.OnceValues(func() ([]byte, error) {
	var out bytes.Buffer
	cmd := exec.Command("go", "test", "-race", "-tags", "racy", "-count=1", "-run", "^TestRacy", ".")
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
})

// TestRaceDetector proves that the race detector catches each mistake of
// racy.go, which compiles and runs without a complaint otherwise.
func TestRaceDetector(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the package again with -race; skipped with -short")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command in PATH")
	}
	out, err := runRacy()
	if raceUnavailable.Match(out) {
		t.Skipf("-race is unavailable here:\n%s", out)
	}

	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "go test -race must fail:\n%s", out)
	require.Contains(t, string(out), "WARNING: DATA RACE")

	// Each report names the code that raced, in the stack of the access.
	t.Run("it reports the counter incremented without a lock", func(t *testing.T) {
		assert.Contains(t, string(out), "04-ownership.racyCount.func1()")
	})
	t.Run("it reports the map written from many goroutines", func(t *testing.T) {
		assert.Contains(t, string(out), "04-ownership.racyTally.func1()")
	})
}
