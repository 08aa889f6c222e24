package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// maxFailureLines is the most a chapter's check may print for one wrong
// answer: a learner reads the first failure, not a thousand of them.
const maxFailureLines = 100

// A wrongAnswer is a stub as a learner might get it wrong. It is kept in a
// chapter's testdata/wrong folder as the few lines that make the chapter's
// solution wrong, after a header that says what it gets wrong and what the
// check must say about it:
//
//	Wrong: the accept loop logs an Accept error and goes round again.
//	Want: when Accept returns an error, return it from serve
//	From: server.go          the solution it starts from, built as the stub
//	Replaces: exercise.go    the stub it takes the place of (the default)
//	Check: bonus             the exercise that checks it (the default: the chapter's)
//	Lines: 200: why          the most its check may print (the default: maxFailureLines)
//	-- old --
//	lines of the solution, found exactly once
//	-- new --
//	what the learner wrote in their place
//
// Old and new may repeat. Kept as changes, a wrong answer shows its
// mistake at a glance, and fails loudly once the solution moves on.
type wrongAnswer struct {
	file     string
	wrong    string
	want     []string
	from     string
	replaces string
	check    string
	lines    int
	changes  [][2]string // old, new
}

func readWrongAnswer(t *testing.T, file string) wrongAnswer {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	w := wrongAnswer{file: file, replaces: "exercise.go", lines: maxFailureLines}
	header, rest, _ := strings.Cut(strings.TrimSuffix(string(data), "\n"), "-- old --\n")
	for _, l := range strings.Split(strings.TrimSpace(header), "\n") {
		key, value, _ := strings.Cut(l, ": ")
		switch key {
		case "Wrong":
			w.wrong = value
		case "Want":
			w.want = append(w.want, value)
		case "From":
			w.from = value
		case "Replaces":
			w.replaces = value
		case "Check":
			w.check = value
		case "Lines":
			if _, err := fmt.Sscan(strings.TrimSuffix(strings.Fields(value)[0], ":"), &w.lines); err != nil {
				t.Fatalf("%s: Lines: %s: %v", file, value, err)
			}
		default:
			t.Fatalf("%s: %q is not a header line", file, l)
		}
	}
	for _, change := range strings.Split("\n"+rest, "\n-- old --\n") {
		old, new, ok := strings.Cut(change, "\n-- new --\n")
		if !ok {
			old, new, ok = strings.Cut(change, "\n-- new --")
		}
		if !ok {
			t.Fatalf("%s: a -- old -- without its -- new --", file)
		}
		w.changes = append(w.changes, [2]string{strings.TrimPrefix(old, "\n"), new})
	}
	if w.wrong == "" || len(w.want) == 0 || w.from == "" || len(w.changes) == 0 {
		t.Fatalf("%s: it needs Wrong:, Want:, From: and at least one -- old -- and -- new --", file)
	}
	return w
}

// source is the wrong answer's file: the solution it starts from, built
// with -tags exercise as the stub is, with each change made.
func (w wrongAnswer) source(t testing.TB, chapter string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(chapter, w.from))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	build, _, _ := strings.Cut(s, "\n")
	if !strings.HasPrefix(build, "//go:build ") || !strings.Contains(build, "!exercise") {
		t.Fatalf("%s does not start with a //go:build line with !exercise", w.from)
	}
	s = strings.Replace(s, build, strings.Replace(build, "!exercise", "exercise", 1), 1)
	for _, c := range w.changes {
		if n := strings.Count(s, c[0]); n != 1 {
			t.Fatalf("%s no longer applies to %s: its old text is there %d times, not once:\n%s",
				w.file, w.from, n, c[0])
		}
		s = strings.Replace(s, c[0], c[1], 1)
	}
	return []byte(s)
}

// TestWrongAnswersApply reads every wrong answer and makes its file, as
// TestWrongAnswers does, without running a check: it runs in every go test,
// so a solution that moves on is noticed at once.
func TestWrongAnswersApply(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "0*", "testdata", "wrong", "*.txt"))
	if len(files) == 0 {
		t.Fatal("no wrong answers in 0*/testdata/wrong")
	}
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			w := readWrongAnswer(t, file)
			chapter := filepath.Dir(filepath.Dir(filepath.Dir(file)))
			src := w.source(t, chapter)
			if _, err := parser.ParseFile(token.NewFileSet(), w.replaces, src, 0); err != nil {
				t.Errorf("the wrong answer is not Go: %v", err)
			}
			if !strings.HasPrefix(string(src), "//go:build ") || !strings.Contains(strings.SplitN(string(src), "\n", 2)[0], "exercise") ||
				strings.Contains(strings.SplitN(string(src), "\n", 2)[0], "!exercise") {
				t.Errorf("the wrong answer is not built with -tags exercise: %q", strings.SplitN(string(src), "\n", 2)[0])
			}
		})
	}

	t.Run("a change whose old text is gone fails, naming the file", func(t *testing.T) {
		rec := &fatalRecorder{TB: t}
		w := wrongAnswer{file: "x.txt", from: "server.go", changes: [][2]string{{"no such text", ""}}}
		done := make(chan struct{})
		go func() {
			defer close(done)
			w.source(rec, filepath.Join("..", "01-accept"))
		}()
		<-done
		if !strings.Contains(rec.msg, "x.txt no longer applies to server.go") {
			t.Errorf("got %q", rec.msg)
		}
	})
}

// fatalRecorder keeps the message of a Fatalf and ends its goroutine, as
// testing.T's does, without failing the real test.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}
func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
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
		files, _ := filepath.Glob(filepath.Join("..", e.dir, "testdata", "wrong", "*.txt"))
		for _, file := range files {
			w := readWrongAnswer(t, file)
			check := w.check
			if check == "" {
				check = strings.SplitN(e.dir, "-", 2)[0]
			}
			if check != e.name {
				continue
			}
			name := e.name + "/" + strings.TrimSuffix(filepath.Base(file), ".txt")
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
	if err := os.WriteFile(stub, w.source(t, filepath.Join(root, e.dir)), 0o644); err != nil {
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
