package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// course copies the fixture course (testdata/course: a go.work and four
// one-file modules) to a temporary folder and returns a runner for it.
func course(t *testing.T, out io.Writer) *runner {
	t.Helper()
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS("testdata/course")); err != nil {
		t.Fatal(err)
	}
	return &runner{
		root: root,
		exercises: []exercise{
			{name: "01", label: "01-pass", dir: "01-pass", tags: "exercise", hints: "01-pass/HINTS.md"},
			{name: "02", label: "02-fail", dir: "02-fail", tags: "exercise", hints: "02-fail/HINTS.md"},
			{name: "03", label: "03-broken", dir: "03-broken", tags: "exercise", hints: "03-broken/HINTS.md"},
			{name: "04", label: "04-hang", dir: "04-hang", tags: "exercise", hints: "04-hang/HINTS.md"},
			{name: "05", label: "05-none", dir: "05-none", tags: "exercise", hints: "05-none/HINTS.md"},
			{name: "bonus", label: "02 bonus", dir: "02-fail", tags: "exercise,bonus", run: "Bonus", bonus: true, hints: "02-fail/HINTS-bonus.md"},
		},
		stateDir: filepath.Join(root, ".workshop"),
		timeout:  3 * time.Second,
		addr:     "127.0.0.1:0", // a port nobody listens on
		out:      out,
	}
}

func TestStatus(t *testing.T) {
	var out bytes.Buffer
	r := course(t, &out)
	code := r.main(t.Context(), nil)
	got := out.String()
	t.Logf("output:\n%s", got)

	if code != 1 {
		t.Errorf("exit code %d, want 1: an exercise checked is not solved", code)
	}
	// One line per exercise, in the table's order, each with its verdict.
	wantLines := []string{
		"01-pass        ✓ solved",
		"02-fail        ✗ not yet",
		"03-broken      ✗ no build",
		"04-hang        ✗ not yet",
		"05-none        - no stub yet",
		"02 bonus       ✗ not yet",
		"1 of 5 exercises solved, not counting the bonus.",
		"One exercise has no stub to check yet.",
		"02-fail is next. Its first failure:",
		"--- TestDouble/two_is_doubled_to_four",
		"\n    double_test.go:15: Double(2) = 2, want 4: does Double multiply by two?\n\n",
		"The check, to run by hand: go test -tags exercise -count=1 -timeout 3s ./02-fail",
		"Edit 02-fail/exercise.go, then run `go run ./workshop` again",
		"`go run ./workshop hint 02` shows a hint.",
	}
	rest := got
	for _, w := range wantLines {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("output lacks %q after what came before", w)
		}
		rest = rest[i+len(w):]
	}
	if strings.Contains(got, "\033[") {
		t.Error("output to a non-terminal has colour codes")
	}
	if strings.Contains(got, "TestBonusTriple") || strings.Contains(got, "03-broken does not build") {
		t.Error("output explains more than the first failure")
	}
}

func TestStatusWhenSolved(t *testing.T) {
	var out bytes.Buffer
	r := course(t, &out)
	r.exercises = r.exercises[:1]
	if code := r.main(t.Context(), nil); code != 0 {
		t.Errorf("exit code %d, want 0:\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "1 of 1 exercises solved.") {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestCheckOneExitCode(t *testing.T) {
	// A script can tell a solved exercise from one that fails or does not
	// build by the exit code alone.
	for _, tt := range []struct {
		name string
		code int
	}{{"01", 0}, {"02", 1}, {"03", 1}, {"05", 0}} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			r := course(t, &out)
			if code := r.main(t.Context(), []string{tt.name}); code != tt.code {
				t.Errorf("go run ./workshop %s: exit code %d, want %d:\n%s", tt.name, code, tt.code, out.String())
			}
		})
	}
}

func TestStatusExplainsABuildFailure(t *testing.T) {
	var out bytes.Buffer
	r := course(t, &out)
	r.exercises = r.exercises[2:3]
	r.main(t.Context(), nil)
	want := "03-broken does not build (go test compiles it, then runs go vet on it):\n\n    03-broken/exercise.go:7:9: cannot use 42 (untyped int constant) as string value in return statement\n"
	if !strings.Contains(out.String(), want) {
		t.Errorf("output lacks\n%s\ngot:\n%s", want, out.String())
	}
}

func TestHint(t *testing.T) {
	var out bytes.Buffer
	r := course(t, &out)
	hint := func() string {
		t.Helper()
		out.Reset()
		if code := r.main(t.Context(), []string{"hint", "02"}); code != 0 {
			t.Fatalf("hint 02: exit code %d:\n%s", code, out.String())
		}
		return out.String()
	}

	t.Run("the first call shows hint 1", func(t *testing.T) {
		got := hint()
		if !strings.HasPrefix(got, "02-fail, hint 1 of 2:\n\nLook at what `Double` returns.\n") ||
			!strings.Contains(got, "`go run ./workshop hint 02` shows the next one.") {
			t.Errorf("got:\n%s", got)
		}
	})
	t.Run("the second call shows hint 2, says it was the last and where the solution is", func(t *testing.T) {
		got := hint()
		for _, w := range []string{"02-fail, hint 2 of 2:", "```go\nreturn 2 * n\n```", "That was the last hint.", "02-fail/solution.go"} {
			if !strings.Contains(got, w) {
				t.Errorf("lacks %q:\n%s", w, got)
			}
		}
	})
	t.Run("a third call says there are no more", func(t *testing.T) {
		got := hint()
		if !strings.Contains(got, "You have seen all 2 hints for 02-fail.") || !strings.Contains(got, "02-fail/solution.go") {
			t.Errorf("got:\n%s", got)
		}
	})
	t.Run("the count is kept in the state directory", func(t *testing.T) {
		if _, err := os.Stat(filepath.Join(r.stateDir, "state.json")); err != nil {
			t.Error(err)
		}
		if n := r.load().Hints["02"]; n != 2 {
			t.Errorf("hints shown %d, want 2", n)
		}
	})
}

func TestHintWithoutArgumentIsForTheFirstUnsolvedExercise(t *testing.T) {
	var out bytes.Buffer
	r := course(t, &out)
	if code := r.main(t.Context(), []string{"hint"}); code != 0 {
		t.Fatalf("exit code %d:\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "02-fail, hint 1 of 2:") {
		t.Fatalf("got:\n%s", out.String())
	}

	// The checks are remembered: the next hint needs none while nothing changed.
	out.Reset()
	r.main(t.Context(), []string{"hint"})
	if strings.Contains(out.String(), "checking") || !strings.Contains(out.String(), "02-fail, hint 2 of 2:") {
		t.Errorf("second hint:\n%s", out.String())
	}
}

func TestParseHints(t *testing.T) {
	text := "# Hints\n\nintro\n\n## Hint 1\n\none\n\n```sh\n## not a heading\n```\n\n## Hint 2\ntwo\n\n## Solution\n\nnot a hint\n"
	got := parseHints(text)
	want := []string{"one\n\n```sh\n## not a heading\n```", "two"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestPick(t *testing.T) {
	r := &runner{exercises: exercises}
	for arg, want := range map[string]string{"02": "02-spawn", "02-spawn": "02-spawn", "./03-joinhandle/": "03-joinhandle", "bonus": "05 bonus", "05": "05-process",
		filepath.FromSlash("./04-ownership/"): "04-ownership"} {
		e, err := r.pick([]string{arg})
		if err != nil || e.label != want {
			t.Errorf("pick(%q) = %v, %v; want %s", arg, e, err, want)
		}
	}
	if _, err := r.pick([]string{"06"}); err == nil {
		t.Error("pick(06) found an exercise")
	}
}

// startWatch runs watch with args on r in the background. waitFor reads
// its output until a line contains want (for at most 20 s) and returns the
// lines before it; stop is Ctrl-C and returns watch's exit code.
func startWatch(t *testing.T, args ...string) (r *runner, waitFor func(want string) []string, stop func() int) {
	pr, pw := io.Pipe()
	r = course(t, pw)
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	waitFor = func(want string) []string {
		t.Helper()
		deadline := time.After(20 * time.Second)
		var before []string
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("output ended before %q", want)
				}
				if strings.Contains(l, want) {
					return before
				}
				before = append(before, l)
			case <-deadline:
				t.Fatalf("no %q within 20 s", want)
			}
		}
	}

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int)
	go func() {
		done <- r.main(ctx, append([]string{"watch"}, args...))
		pw.Close()
	}()
	stop = func() int {
		t.Helper()
		cancel()
		go func() {
			for range lines {
			}
		}()
		select {
		case code := <-done:
			return code
		case <-time.After(10 * time.Second):
			t.Fatal("watch did not return within 10 s of Ctrl-C")
			return -1
		}
	}
	t.Cleanup(func() { cancel() })
	return r, waitFor, stop
}

// save writes a file of the course with a later modification time, in case
// the write lands in the same clock tick as the one before.
func save(t *testing.T, r *runner, name, text string) {
	t.Helper()
	path := filepath.Join(r.root, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
}

func TestWatch(t *testing.T) {
	r, waitFor, stop := startWatch(t, "02")
	waitFor("02-fail        ✗ not yet")
	waitFor("watching for saved .go files")

	// Saving the solution in the stub makes the next check pass.
	save(t, r, "02-fail/exercise.go", "//go:build exercise\n\npackage fail\n\n// Double returns twice n.\nfunc Double(n int) int { return 2 * n }\n")
	waitFor("02-fail        ✓ solved")
	waitFor("watching for saved .go files")

	if code := stop(); code != 0 {
		t.Errorf("exit code %d after Ctrl-C, want 0", code)
	}
}

func TestWatchChecksTheExerciseSaved(t *testing.T) {
	r, waitFor, stop := startWatch(t)
	// First the list up to the first unsolved exercise.
	waitFor("01-pass        ✓ solved")
	waitFor("02-fail        ✗ not yet")
	waitFor("watching for saved .go files")

	// Then, after a save in 03-broken, 03-broken alone, though 02 is not solved.
	save(t, r, "03-broken/exercise.go", "//go:build exercise\n\npackage broken\n\n// Name is fixed.\nfunc Name() string { return \"broken\" }\n")
	if before := waitFor("03-broken      ✓ solved"); len(before) > 0 {
		t.Errorf("before 03-broken's result, watch printed %q", before)
	}
	waitFor("Well done. Next: 04-hang, in 04-hang/exercise.go.")
	waitFor("watching for saved .go files")
	stop()
}
