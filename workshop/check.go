package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// state is what a check found.
type state int

const (
	solved  state = iota
	failed        // a test failed, or the test binary died
	broken        // the package did not build
	noTests       // go test passed but ran no test: the exercise has no tests yet
	missing       // the chapter has no stub (yet): nothing to check
	stopped       // the check could not run or did not finish
)

// A result is what one check found, ready to show.
type result struct {
	state  state
	start  time.Time
	took   time.Duration
	ran    int      // tests that passed or failed
	failed string   // the first test that failed, or that was running when the binary died
	output []string // what helps to see: that test's output, or go test's own
	build  []string // the compiler's (or vet's) messages, if the package did not build
	err    error    // why a check stopped
}

// check runs the go test command of e with -json and reads the result.
// go test's -timeout ends a hung test binary; the context ends everything
// else: Ctrl-C, or a go test that overruns by two minutes (more than any
// build of a chapter takes, even with a cold cache on a busy machine).
func (r *runner) check(ctx context.Context, e exercise) result {
	if len(r.stubs(e)) == 0 {
		return result{state: missing}
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout+2*time.Minute)
	defer cancel()

	args := append([]string{"test", "-json"}, e.goTestArgs(r.timeout)[1:]...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = r.root
	cmd.WaitDelay = 2 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr

	start := time.Now()
	err := cmd.Run()
	res := parse(&stdout, r.root)
	res.start, res.took = start, time.Since(start)

	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		res.state = stopped
		res.err = fmt.Errorf("stopped after %s", res.took.Round(time.Second))
		if errors.Is(ctx.Err(), context.Canceled) {
			res.err = errors.New("interrupted")
		}
	case err != nil && !errors.As(err, &exit):
		res.state, res.err = stopped, err // go is not on PATH, for one
	case res.state != solved && len(res.output) == 0 && len(res.build) == 0:
		// go test could not even start, e.g. a go.mod error: it says why on stderr.
		res.output = trim(lines(stderr.String()), r.root)
	}
	return res
}

// An event is one line of go test -json (see go doc test2json). Build
// output comes as Action "build-output" and "build-fail", keyed by ImportPath.
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// parse reads go test -json output of one package.
func parse(r io.Reader, root string) result {
	var (
		res        result
		outputs    = map[string][]string{} // by test name; "" is the package's own output
		running    []string                // tests in the order they started
		done       = map[string]bool{}
		pkgPassed  bool
		buildError bool
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for sc.Scan() {
		var ev event
		if json.Unmarshal(sc.Bytes(), &ev) != nil {
			continue // not an event: go test prints some things as plain text
		}
		switch ev.Action {
		case "build-output":
			if !strings.HasPrefix(ev.Output, "# ") { // "# example.com/pkg [pkg.test]"
				res.build = append(res.build, strings.TrimRight(ev.Output, "\n"))
			}
		case "build-fail":
			buildError = true
		case "output":
			outputs[ev.Test] = append(outputs[ev.Test], strings.TrimRight(ev.Output, "\n"))
		case "run":
			running = append(running, ev.Test)
		case "pass", "fail", "skip":
			if ev.Test == "" {
				pkgPassed = ev.Action == "pass"
				continue
			}
			done[ev.Test] = true
			if ev.Action != "skip" {
				res.ran++
			}
			if ev.Action == "fail" && res.failed == "" {
				res.failed = ev.Test
			}
		}
	}

	switch {
	case buildError || len(res.build) > 0 && !pkgPassed:
		res.state = broken
		res.build = trim(res.build, root)
		return res
	case pkgPassed && res.ran > 0:
		res.state = solved
		return res
	case pkgPassed:
		res.state = noTests
		res.output = trim(outputs[""], root)
		return res
	}
	res.state = failed
	if res.failed == "" {
		// No test failed, yet the package did: the binary died (a panic, a
		// timeout, os.Exit) while this test was running.
		for _, t := range running {
			if !done[t] {
				res.failed = t
				break
			}
		}
	}
	if res.failed != "" {
		res.output = trim(outputs[res.failed], root)
	}
	if len(res.output) == 0 && res.failed != "" {
		// A binary that died (a fatal error, a panic) may leave what it
		// said with the subtest that was running, not with its parent.
		var lines []string
		for _, t := range running {
			if strings.HasPrefix(t, res.failed+"/") {
				lines = append(lines, outputs[t]...)
			}
		}
		res.output = trim(lines, root)
	}
	if len(res.output) == 0 {
		res.output = trim(outputs[""], root)
	}
	return res
}

// maxLines is how much of a failure the runner shows; the command it prints
// shows all of it.
const maxLines = 30

// trim keeps the lines of a test's output that help: no "=== RUN" or
// "--- FAIL" lines (the runner names the test itself), no testify
// "Error Trace:" and "Test:" lines, and of a stack (a panic's goroutine dump
// or a data race report) only the frames in the repository, as
// "at file:line": yours, not the standard library's or testify's. Paths under
// root are made relative to it.
//
// The test's own words come first and a data race report after them: the
// report is where, the test's message is what it means.
func trim(in []string, root string) []string {
	var out, report []string
	dump := false             // in a goroutine dump: a panic or a timeout
	seen := map[string]bool{} // frames shown from the dump
	races, inRace := 0, false // data race reports, and whether l is in one
	for i, l := range in {
		t := strings.TrimSpace(l)
		// The first data race report says it all; the others are skipped.
		if t == "WARNING: DATA RACE" {
			races++
			if races == 2 {
				report = append(report, "(more data races were reported: run the check by hand to see them all)")
			}
		}
		if strings.HasPrefix(t, "==================") {
			inRace = !inRace
			continue
		}
		if inRace && races > 1 {
			continue
		}
		switch {
		case strings.HasPrefix(t, "=== "), strings.HasPrefix(t, "--- FAIL"), strings.HasPrefix(t, "--- PASS"),
			t == "FAIL", strings.HasPrefix(t, "FAIL\t"), strings.HasPrefix(t, "Error Trace:"), strings.HasPrefix(t, "Test:"):
			continue
		case strings.HasPrefix(t, "goroutine ") && strings.HasSuffix(t, ":"):
			dump = true // "goroutine 7 [running]:"
			continue
		case dump && t == "":
			continue
		case i+1 < len(in) && frameFile(in[i+1]) != "":
			continue // a frame's function, followed by its file
		case frameFile(l) != "":
			file := frameFile(l)
			// A server's goroutines wait in the same few places: a
			// dump shows each place once.
			if !inRoot(file, root) || dump && seen[file] {
				continue
			}
			seen[file] = true
			l = "  at " + file
			if i > 0 {
				l += "  " + funcName(in[i-1])
			}
		}
		l = strings.ReplaceAll(l, root+string(filepath.Separator), "")
		l = strings.ReplaceAll(l, forwardSlashes(root)+"/", "")
		if inRace {
			report = append(report, l)
		} else {
			out = append(out, l)
		}
	}
	for len(out) > 0 && strings.TrimSpace(out[len(out)-1]) == "" {
		out = out[:len(out)-1]
	}
	out = append(out, report...)
	if len(out) > maxLines {
		n := len(out) - maxLines
		out = append(out[:maxLines], fmt.Sprintf("... and %d more lines: run the check by hand to see them", n))
	}
	return out
}

// funcName shortens a frame's function line for show:
// "example.com/spawning/05-process.(*store).set(...)" is "05-process.(*store).set".
func funcName(l string) string {
	f := strings.TrimSpace(l)
	if i := strings.LastIndex(f, "/"); i >= 0 {
		f = f[i+1:]
	}
	if i := strings.LastIndex(f, "("); i > 0 && strings.HasSuffix(f, ")") {
		f = f[:i]
	}
	return f
}

// frameFile is the file:line of a stack frame's second line, such as
// "\t/src/x/server.go:42 +0x1d", or "" if l is not one.
func frameFile(l string) string {
	f := strings.Fields(l)
	if len(f) == 0 || len(f) > 2 || !filepath.IsAbs(f[0]) || !strings.Contains(f[0], ".go:") {
		return ""
	}
	if len(f) == 2 && !strings.HasPrefix(f[1], "+0x") {
		return ""
	}
	return f[0]
}

func lines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// inRoot reports whether file, from a stack trace, is under root. Stack
// traces write paths with forward slashes, on Windows too, where root has
// backslashes.
func inRoot(file, root string) bool {
	return strings.HasPrefix(file, root) || strings.HasPrefix(file, forwardSlashes(root))
}

// forwardSlashes is path with every backslash made a slash, on any OS.
func forwardSlashes(path string) string {
	return strings.ReplaceAll(path, `\`, "/")
}
