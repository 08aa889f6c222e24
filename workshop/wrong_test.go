package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// maxFailureLines is the most a chapter's check may print for one wrong
// answer: a learner reads the first failure, not a thousand of them.
const maxFailureLines = 100

// A wrongAnswer is a stub as a learner might get it wrong, kept in a
// chapter's testdata/wrong folder with a header that says what it gets
// wrong and what the check must say about it:
//
//	// Wrong: the accept loop logs an Accept error and goes on.
//	// Want: serve called Accept again after Accept had failed
//	// Replaces: exercise.go (the default)
//	// Check: 05 (the default: the chapter's exercise; "bonus" for the bonus)
//	// Lines: 150 (the default: maxFailureLines), and why
type wrongAnswer struct {
	file     string // the wrong answer
	wrong    string
	want     []string
	replaces string
	check    string
	lines    int
}

func readWrongAnswer(t *testing.T, file string) wrongAnswer {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := wrongAnswer{file: file, replaces: "exercise.go", lines: maxFailureLines}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, value, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "// "), ": ")
		if !ok || !strings.HasPrefix(sc.Text(), "// ") {
			break
		}
		switch key {
		case "Wrong":
			w.wrong = value
		case "Want":
			w.want = append(w.want, value)
		case "Replaces":
			w.replaces = value
		case "Check":
			w.check = value
		case "Lines":
			if _, err := fmt.Sscan(value, &w.lines); err != nil {
				t.Fatalf("%s: // Lines: %s: %v", file, value, err)
			}
		}
	}
	if w.wrong == "" || len(w.want) == 0 {
		t.Fatalf("%s: the header needs a // Wrong: line and at least one // Want: line", file)
	}
	return w
}

// TestWrongAnswers runs each chapter's check, exactly as a learner runs it,
// on every wrong answer in the chapter's testdata/wrong, and checks that
// the check fails, says what the wrong answer's header wants it to say,
// and prints no more than maxFailureLines lines. It logs how long each
// took, so a check that makes a learner wait shows up in the log.
//
// Each wrong answer is a build of its own, so the whole run takes a few
// minutes; it runs when WRONG_ANSWERS is set, as CI does:
//
//	WRONG_ANSWERS=1 go test -count=1 -run TestWrongAnswers -v ./workshop
func TestWrongAnswers(t *testing.T) {
	if os.Getenv("WRONG_ANSWERS") == "" {
		t.Skip("each wrong answer is a build of its own, minutes in all: WRONG_ANSWERS=1 runs them")
	}
	root := copyRepository(t)
	var summary []string
	for _, e := range exercises {
		files, _ := filepath.Glob(filepath.Join("..", e.dir, "testdata", "wrong", "*.go"))
		for _, file := range files {
			w := readWrongAnswer(t, file)
			check := w.check
			if check == "" {
				check = strings.SplitN(e.dir, "-", 2)[0]
			}
			if check != e.name {
				continue
			}
			name := e.name + "/" + strings.TrimSuffix(filepath.Base(file), ".go")
			t.Run(name, func(t *testing.T) {
				out, took := runWrongAnswer(t, root, e, w)
				lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
				first := firstFailure(lines)
				summary = append(summary, fmt.Sprintf("%-28s %5.1fs %3d lines  %s", name, took.Seconds(), len(lines), first))
				if len(lines) > w.lines {
					t.Errorf("the check printed %d lines, more than %d:\n%s", len(lines), w.lines, out)
				}
				for _, want := range w.want {
					if !strings.Contains(out, want) {
						t.Errorf("the check does not say %q; it printed:\n%s", want, out)
					}
				}

				// go run ./workshop NN shows the first failure: what the wrong
				// answer's header wants said must be in its first lines.
				var shown bytes.Buffer
				r := &runner{root: root, exercises: exercises, stateDir: t.TempDir(), timeout: time.Minute, out: &shown}
				if code := r.main(t.Context(), []string{e.name}); code != 1 {
					t.Errorf("go run ./workshop %s: exit code %d, want 1", e.name, code)
				}
				_, explanation, _ := strings.Cut(shown.String(), "Its first failure:\n")
				head := strings.Join(strings.SplitN(explanation, "\n", 8)[:min(7, strings.Count(explanation, "\n"))], "\n")
				if !slices.ContainsFunc(w.want, func(want string) bool { return strings.Contains(head, want) }) {
					t.Errorf("go run ./workshop %s does not say %q in the first lines of its explanation:\n%s",
						e.name, w.want, shown.String())
				}
			})
		}
	}
	t.Logf("each wrong answer: how long its check took to fail, how many lines it printed, and its first message:\n%s",
		strings.Join(summary, "\n"))
}

// copyRepository copies the repository's files (those git knows of or
// would add) to a temporary folder and returns it. The wrong answers are
// written there in place of the stubs, so the check reads and builds the
// wrong answer as it would a learner's file (go test -overlay would build
// it, but a check that reads the source would find the stub).
func copyRepository(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "-C", "..", "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Skipf("git ls-files: %v: the wrong answers run in a git checkout", err)
	}
	root := t.TempDir()
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		data, err := os.ReadFile(filepath.Join("..", name))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted in the working tree
		}
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// runWrongAnswer runs e's check with w in place of the file it replaces,
// and returns what the check printed and how long it took. A wrong answer
// that passes, or that does not build, fails the test: neither proves the
// check catches anything.
func runWrongAnswer(t *testing.T, root string, e exercise, w wrongAnswer) (string, time.Duration) {
	t.Helper()
	stub := filepath.Join(root, e.dir, w.replaces)
	original, err := os.ReadFile(stub)
	if err != nil {
		t.Fatal(err)
	}
	wrong, err := os.ReadFile(w.file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stub, wrong, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.WriteFile(stub, original, 0o644) })
	cmd := exec.CommandContext(t.Context(), "go", e.goTestArgs(time.Minute)...)
	cmd.Dir = root
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if err == nil {
		t.Fatalf("%s: the check passes this wrong answer:\n%s", w.wrong, out)
	}
	if strings.Contains(string(out), "[build failed]") || strings.Contains(string(out), "[setup failed]") {
		t.Fatalf("the wrong answer does not build, so it shows nothing:\n%s", out)
	}
	return string(out), took
}

// firstFailure is the line of a check's output that a learner reads as
// its verdict: the first message of a test (file.go:12: ...) or a panic,
// else the first line that is not a header, a server's log line or a
// blank.
func firstFailure(lines []string) string {
	verdict := regexp.MustCompile(`^\S+\.go:\d+: \S|^panic: `)
	first := ""
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if verdict.MatchString(t) && !strings.HasPrefix(t, "testing.go:") {
			first = t
			// "go vet finds a mistake:" says what on the next line.
			if strings.HasSuffix(t, ":") && i+1 < len(lines) {
				first += " " + strings.TrimSpace(lines[i+1])
			}
			break
		}
		if first == "" && t != "" && !strings.HasPrefix(t, "--- ") && !strings.HasPrefix(t, "=== ") &&
			!strings.HasPrefix(t, "20") && !strings.HasPrefix(t, "time=") && !strings.HasPrefix(t, "===") {
			first = t
		}
	}
	if len(first) > 110 {
		first = first[:110] + "…"
	}
	return first
}
