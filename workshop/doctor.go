package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// doctor checks what a workshop needs, one line per check, and builds
// everything once so that the first real check does not wait. It fails only
// for what makes the workshop impossible: Go itself.
func (r *runner) doctor(ctx context.Context) int {
	essential, problems := true, 0
	say := func(status, format string, args ...any) {
		if status == "PROBLEM" {
			problems++
		}
		fmt.Fprintf(r.out, "%-8s %s\n", status, fmt.Sprintf(format, args...))
	}

	v, err := r.goOutput(ctx, r.root, "env", "GOVERSION")
	switch {
	case err != nil:
		say("PROBLEM", "cannot run go: %v", err)
		return 1
	case !atLeast(v, 1, 25):
		say("PROBLEM", "%s is too old: the modules need Go 1.25 or newer (https://go.dev/dl)", v)
		essential = false
	default:
		say("OK", "%s (1.25 or newer needed)", v)
	}

	// No nc: go run ./hello-redis -i types commands at a server on every OS.
	advice := adviceFor(runtime.GOOS)
	missing := false
	for _, t := range []struct{ name, what string }{
		{"redis-cli", "a real Redis client (go run ./hello-redis -i does without it)"},
		{"redis-benchmark", "for 05's benchmark"},
	} {
		if path, err := exec.LookPath(t.name); err == nil {
			say("OK", "%s (%s)", t.name, path)
			continue
		}
		say("MISSING", "%s, %s", t.name, t.what)
		missing = true
	}
	if missing {
		for _, l := range advice.install {
			say("", "  %s", l)
		}
	}

	switch state, detail := probePort(r.addr); state {
	case portFree:
		say("OK", "%s is free for the chapter servers", r.addr)
	case portRedis:
		say("PROBLEM", "%s is held by a real Redis (%s): `go run ./hello-redis` would talk to it, not to your server", r.addr, detail)
		say("", "  stop it: %s", advice.stopRedis)
		say("", "  or run each server and client with -addr 127.0.0.1:6380")
	default:
		say("WARN", "%s is taken by something that is not Redis (%s),", r.addr, detail)
		say("", "  likely a chapter server still running: Ctrl-C in its terminal, or use -addr 127.0.0.1:6380")
	}

	fmt.Fprintln(r.out, "warming the module and build caches (a few minutes the first time)...")
	mods, err := r.goOutput(ctx, r.root, "list", "-m", "-f", "{{.Dir}}")
	if err != nil {
		say("PROBLEM", "go list -m: %v", err)
		return 1
	}
	downloaded := true
	for _, dir := range strings.Fields(mods) {
		if _, err := r.goOutput(ctx, dir, "mod", "download"); err != nil {
			say("PROBLEM", "go mod download in %s: %v", r.rel(dir), err)
			downloaded, essential = false, false
		}
	}
	if downloaded {
		say("OK", "modules downloaded")
	}
	for _, tags := range []string{"", "exercise"} {
		args := []string{"test", "-count=1", "-run", "^$", "work"}
		what := "the solutions build"
		if tags != "" {
			args = append([]string{"test", "-tags", tags}, args[1:]...)
			what = "the exercises build"
		}
		if _, err := r.goOutput(ctx, r.root, args...); err != nil {
			say("PROBLEM", "%s: go %s failed:\n%s", what, strings.Join(args, " "), errorLines(err))
			if tags == "" {
				essential = false
			}
			continue
		}
		say("OK", "%s (go %s)", what, strings.Join(args, " "))
	}
	for _, e := range r.exercises {
		if !e.race {
			continue
		}
		args := []string{"test", "-race", "-tags", e.tags, "-count=1", "-run", "^$", "./" + e.dir}
		if _, err := r.goOutput(ctx, r.root, args...); err != nil {
			say("PROBLEM", "the race detector, which %s's check needs, does not work here:\n%s", e.label, errorLines(err))
			say("", "  %s", advice.raceNeeds)
			continue
		}
		say("OK", "the race detector works (go %s)", strings.Join(args, " "))
	}
	// 04's tests build its racy examples again with -race, in a go test of
	// their own: on a cold cache, most of the first go test work.
	if dir := filepath.Join(r.root, "04-ownership"); dirExists(dir) {
		args := []string{"test", "-race", "-tags", "racy", "-count=1", "-run", "^$", "./04-ownership"}
		if _, err := r.goOutput(ctx, r.root, args...); err == nil {
			say("OK", "04's race detector demo builds (go %s)", strings.Join(args, " "))
		}
	}

	switch {
	case !essential:
		fmt.Fprintln(r.out, "\nNot ready: see the problems above.")
		return 1
	case problems > 0:
		fmt.Fprintln(r.out, "\nReady, but see the problems above. Start with: go run ./workshop")
	default:
		fmt.Fprintln(r.out, "\nReady. Start with: go run ./workshop")
	}
	return 0
}

// osAdvice is what doctor tells a learner to run, in the words of one OS.
type osAdvice struct {
	install   []string // how to get redis-cli and redis-benchmark
	stopRedis string   // how to stop a real Redis that holds the chapters' port
	raceNeeds string   // what the race detector needs, and how to get it
}

// adviceFor is the advice for goos, a value of runtime.GOOS.
func adviceFor(goos string) osAdvice {
	switch goos {
	case "darwin":
		return osAdvice{
			install: []string{
				"macOS: brew install redis (Homebrew). It brings redis-server too, but starts",
				"no Redis on the chapters' port unless you run brew services start redis.",
			},
			stopRedis: "redis-cli shutdown, or brew services stop redis",
			raceNeeds: "on macOS it needs neither cgo nor a C compiler; check that go env GOARCH is this Mac's chip (arm64 or amd64)",
		}
	case "windows":
		return osAdvice{
			install: []string{
				"Windows: Redis has no official build for Windows, and the workshop needs none:",
				"go run ./hello-redis -i types commands at a server (nc is not needed either),",
				"and the tests that want the tools skip. For the real tools, run the whole",
				"workshop inside WSL (Ubuntu), as on Linux.",
			},
			stopRedis: "redis-cli shutdown, or stop the service that runs it (in the Services app)",
			raceNeeds: "it needs cgo: CGO_ENABLED=1 and a gcc on PATH, such as MSYS2's mingw-w64 gcc (https://www.msys2.org); on Windows on Arm, Go has no race detector: check 04 and the bonus in WSL",
		}
	default:
		return osAdvice{
			install: []string{
				"Debian/Ubuntu: sudo apt-get install redis-tools",
				"Not redis-server: installing it starts a Redis on port 6379, the chapters' port.",
			},
			stopRedis: "redis-cli shutdown, or sudo systemctl stop redis-server (disable keeps it stopped)",
			raceNeeds: "it needs cgo: CGO_ENABLED=1 and a C compiler: gcc (Debian/Ubuntu: sudo apt-get install gcc)",
		}
	}
}

// errorLines is what a failed go test printed that says why: not the
// "ok" and "FAIL" lines of each package, indented under the PROBLEM line.
func errorLines(err error) string {
	var keep []string
	for _, l := range lines(err.Error()) {
		if strings.HasPrefix(l, "ok ") || strings.HasPrefix(l, "FAIL") || strings.HasPrefix(l, "exit status") ||
			strings.HasPrefix(l, "?") || strings.HasPrefix(l, "# ") {
			continue
		}
		keep = append(keep, "         "+l)
	}
	return strings.Join(keep, "\n")
}

// goOutput runs go in dir and returns its trimmed output, or an error that
// carries what go printed.
func (r *runner) goOutput(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%w\n%s", err, strings.TrimSpace(string(out)))
	}
	return strings.TrimSpace(string(out)), nil
}

// atLeast reports whether a GOVERSION such as "go1.25.3" or "go1.26rc1" is
// at least major.minor.
func atLeast(v string, major, minor int) bool {
	v = strings.TrimPrefix(v, "go")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return false
	}
	// The minor part may carry a suffix: "26rc1".
	digits := parts[1]
	if i := strings.IndexFunc(digits, func(c rune) bool { return c < '0' || c > '9' }); i >= 0 {
		digits = digits[:i]
	}
	maj, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(digits)
	if err1 != nil || err2 != nil {
		return false
	}
	return maj > major || maj == major && mi >= minor
}

type portState int

const (
	portFree  portState = iota // nothing accepts connections
	portRedis                  // a real Redis
	portOther                  // something else, such as a chapter server
)

// probePort tells who holds addr by asking INFO server: a real Redis answers
// with "redis_version:...", or with NOAUTH if it wants a password; the
// chapter servers answer with an unknown-command error. detail is what it
// answered, for the message.
func probePort(addr string) (state portState, detail string) {
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return portFree, ""
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := io.WriteString(conn, "*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n"); err != nil {
		return portOther, "it closed the connection"
	}
	br := bufio.NewReader(conn)
	first, err := br.ReadString('\n')
	if err != nil {
		return portOther, "no answer to INFO"
	}
	first = strings.TrimSpace(first)
	if strings.HasPrefix(first, "-NOAUTH") {
		return portRedis, "it wants a password"
	}
	// A bulk string: "$<length>", then the text: "# Server\r\nredis_version:7.0.15\r\n..."
	if n, err := strconv.Atoi(strings.TrimPrefix(first, "$")); err == nil && strings.HasPrefix(first, "$") && n > 0 {
		body := make([]byte, min(n, 64*1024))
		if _, err := io.ReadFull(br, body); err == nil {
			for _, l := range strings.Split(string(body), "\n") {
				if v, ok := strings.CutPrefix(strings.TrimSpace(l), "redis_version:"); ok {
					return portRedis, "redis_version " + v
				}
			}
		}
	}
	return portOther, "INFO answered " + strconv.Quote(first)
}

// dirExists reports whether dir is a folder.
func dirExists(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}
