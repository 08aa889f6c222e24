// Command workshop checks the exercises of this repository for you, the way
// rustlings does for Rust. It is a thin layer over go test: each exercise is
// a chapter's stub (exercise.go, built with -tags exercise), and the
// chapter's own tests decide whether it is solved. Run it from the root of
// the repository:
//
//	go run ./workshop          check every exercise, show what to do next
//	go run ./workshop 02       check one exercise
//	go run ./workshop hint     the next hint for the first unsolved exercise
//	go run ./workshop watch    check again on every save
//	go run ./workshop doctor   check your machine before a workshop
//	go run ./workshop trace 02 draw the goroutines of chapter 02's server
//
// This file holds the exercises and the commands. check.go runs go test
// -json and reads its events; files.go finds stubs and solutions by their
// build lines; hints.go keeps the hints and what was seen; watch.go polls
// for saves; doctor.go is the preflight; trace.go draws a chapter's
// goroutines from an execution trace. WORKSHOP.md is the guide.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// An exercise is a chapter's stub and the go test command that checks it.
type exercise struct {
	name  string // what you type after hint or watch: "02", "bonus"
	label string // what the list shows
	dir   string // the chapter's folder, relative to the repository root
	tags  string // the build tags of the check
	run   string // a go test -run pattern, or "" for every test
	race  bool   // check with the race detector: the chapter's mistake is a data race
	bonus bool   // listed last and not needed to finish
	hints string // the hints file, relative to the root
}

// exercises is the workshop, in the order it is done.
var exercises = []exercise{
	{name: "01", label: "01-accept", dir: "01-accept", tags: "exercise", hints: "01-accept/HINTS.md"},
	{name: "02", label: "02-spawn", dir: "02-spawn", tags: "exercise", hints: "02-spawn/HINTS.md"},
	{name: "03", label: "03-joinhandle", dir: "03-joinhandle", tags: "exercise", hints: "03-joinhandle/HINTS.md"},
	{name: "04", label: "04-ownership", dir: "04-ownership", tags: "exercise", race: true, hints: "04-ownership/HINTS.md"},
	{name: "05", label: "05-process", dir: "05-process", tags: "exercise", hints: "05-process/HINTS.md"},
	{name: "bonus", label: "05 bonus", dir: "05-process", tags: "exercise,bonus", run: "Bonus", race: true, bonus: true, hints: "05-process/HINTS-bonus.md"},
}

// goTestArgs is the check as a person would type it, without -json.
func (e exercise) goTestArgs(timeout time.Duration) []string {
	args := []string{"test"}
	if e.race {
		args = append(args, "-race")
	}
	args = append(args, "-tags", e.tags, "-count=1")
	if e.run != "" {
		args = append(args, "-run", e.run)
	}
	return append(args, "-timeout", seconds(timeout), "./"+e.dir)
}

// seconds writes a whole number of seconds as go test's users do: "60s",
// not "1m0s".
func seconds(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}

// command is the check for printing: "go test -tags exercise ... ./02-spawn".
// Tags with a comma are quoted, as PowerShell would otherwise split them.
func (e exercise) command(timeout time.Duration) string {
	args := e.goTestArgs(timeout)
	for i, a := range args {
		if strings.Contains(a, ",") {
			args[i] = `"` + a + `"`
		}
	}
	return "go " + strings.Join(args, " ")
}

// A runner is the workshop in one repository. Tests make their own, with a
// fixture tree as root and a temporary state directory.
type runner struct {
	root      string        // the repository root, where go.work is
	exercises []exercise    // the table above, or a test's
	stateDir  string        // where hints shown and past checks are kept
	timeout   time.Duration // go test -timeout for each check
	addr      string        // where the chapter servers listen: doctor checks it is free
	out       io.Writer
	tty       bool // out is a terminal: clear it in watch
	colour    bool // colour the marks: a terminal, and NO_COLOR is not set
	watching  bool // in watch: the check runs again on its own
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	root, err := findRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "workshop:", err)
		os.Exit(2)
	}
	r := &runner{
		root:      root,
		exercises: exercises,
		stateDir:  filepath.Join(root, ".workshop"),
		timeout:   60 * time.Second,
		addr:      "127.0.0.1:6379",
		out:       os.Stdout,
		tty:       isTerminal(os.Stdout),
		colour:    isTerminal(os.Stdout) && os.Getenv("NO_COLOR") == "",
	}
	os.Exit(r.main(ctx, os.Args[1:]))
}

const usage = `Usage: go run ./workshop [command]

  (none)        check every exercise and show what to do next
  NN            check exercise NN only
  hint [NN]     the next hint for the first unsolved exercise, or for NN
  watch [NN]    check again each time a .go file is saved (Ctrl-C stops)
  doctor        check Go, the tools and port 6379; warm the build cache
  trace NN      run chapter NN with real clients and draw its goroutines
  help          this text

NN is 01 to 05, or bonus. Each check is a plain go test command, printed
with its result, so you can always run it by hand.
`

// main runs one command and returns the exit code.
func (r *runner) main(ctx context.Context, args []string) int {
	cmd, rest := "", args
	if len(args) > 0 {
		cmd, rest = args[0], args[1:]
	}
	switch cmd {
	case "":
		return r.status(ctx)
	case "hint":
		return r.hint(ctx, rest)
	case "watch":
		return r.watch(ctx, rest)
	case "doctor":
		return r.doctor(ctx)
	case "trace":
		return r.traceCmd(ctx, rest)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(r.out, usage)
		return 0
	}
	if e, err := r.pick(args); err == nil {
		return r.checkOne(ctx, *e)
	}
	fmt.Fprintf(os.Stderr, "workshop: unknown command %q\n\n%s", cmd, usage)
	return 2
}

// status checks every exercise, one at a time and in order, then explains
// the first failure of the first unsolved one.
func (r *runner) status(ctx context.Context) int {
	results := make([]result, len(r.exercises))
	for i, e := range r.exercises {
		fmt.Fprintf(r.out, "  %-14s ", e.label)
		results[i] = r.check(ctx, e)
		fmt.Fprintln(r.out, r.line(results[i]))
		if ctx.Err() != nil {
			return 130
		}
		r.remember(e, results[i])
	}
	r.summary(results)
	next := r.next(results)
	if next < 0 {
		return 0
	}
	r.explain(r.exercises[next], results[next])
	// A script, a CI job or an instructor's loop can tell from the exit
	// code alone whether every exercise checked is solved; go run prints
	// it as "exit status 1" under the explanation.
	return 1
}

// next is the index of the exercise to work on: the first unsolved one that
// is not a bonus, else the first unsolved bonus, else -1.
func (r *runner) next(results []result) int {
	for _, bonus := range []bool{false, true} {
		for i, e := range r.exercises {
			if e.bonus == bonus && results[i].state != solved && results[i].state != missing {
				return i
			}
		}
	}
	return -1
}

// summary counts the solved exercises.
func (r *runner) summary(results []result) {
	done, required, bonus, absent := 0, 0, "", 0
	for i, e := range r.exercises {
		switch {
		case results[i].state == missing:
			absent++
		case e.bonus && results[i].state == solved:
			bonus = " and the bonus"
		case e.bonus:
			bonus = ", not counting the bonus"
		}
		if !e.bonus {
			required++
			if results[i].state == solved {
				done++
			}
		}
	}
	fmt.Fprintf(r.out, "\n%d of %d exercises solved%s.\n", done, required, bonus)
	switch {
	case absent == 1:
		fmt.Fprintln(r.out, "One exercise has no stub to check yet.")
	case absent > 1:
		fmt.Fprintf(r.out, "%d exercises have no stub to check yet.\n", absent)
	}
}

// explain says why e is not solved and what to do next.
func (r *runner) explain(e exercise, res result) {
	fmt.Fprintln(r.out)
	switch {
	case res.err != nil:
		fmt.Fprintf(r.out, "%s: the check did not finish: %v\n", e.label, res.err)
	case len(res.build) > 0:
		fmt.Fprintf(r.out, "%s does not build (go test compiles it, then runs go vet on it):\n\n", e.label)
		printIndented(r.out, res.build)
	case res.failed != "":
		fmt.Fprintf(r.out, "%s is next. Its first failure:\n\n--- %s\n", e.label, res.failed)
		fmt.Fprintln(r.out, strings.Join(res.output, "\n"))
	case res.ran == 0:
		fmt.Fprintf(r.out, "%s: the check ran no test.\n", e.label)
		printIndented(r.out, res.output)
	default:
		fmt.Fprintf(r.out, "%s is next. go test said:\n\n", e.label)
		printIndented(r.out, res.output)
	}
	where := ""
	if wd, _ := os.Getwd(); wd != r.root {
		where = "   (in " + r.root + ")"
	}
	fmt.Fprintf(r.out, "\nThe check, to run by hand: %s%s\n", e.command(r.timeout), where)
	edit := strings.Join(r.stubs(e), " and ")
	if r.watching {
		fmt.Fprintf(r.out, "Edit %s and save: the check runs again.\n", edit)
	} else {
		fmt.Fprintf(r.out, "Edit %s, then run `go run ./workshop` again (or leave `go run ./workshop watch` running).\n", edit)
	}
	fmt.Fprintf(r.out, "Stuck? `go run ./workshop hint %s` shows a hint.\n", e.name)
}

func printIndented(w io.Writer, lines []string) {
	for _, l := range lines {
		fmt.Fprintln(w, "    "+l)
	}
}

// marks are the results in words, after a ✓ or ✗ that a terminal colours.
var marks = map[state]string{
	solved:  "✓ solved",
	failed:  "✗ not yet",
	broken:  "✗ no build",
	noTests: "✗ no tests",
	missing: "- no stub yet",
	stopped: "✗ stopped",
}

// mark is the result in words, green or red on a terminal.
func (r *runner) mark(s state) string {
	switch {
	case !r.colour || s == missing:
		return marks[s]
	case s == solved:
		return "\033[32m" + marks[s] + "\033[0m"
	default:
		return "\033[31m" + marks[s] + "\033[0m"
	}
}

// line is one exercise's line of the list, after its padded label: the
// result, then how long the check took.
func (r *runner) line(res result) string {
	if res.state == missing {
		return r.mark(res.state)
	}
	pad := strings.Repeat(" ", max(0, 12-utf8.RuneCountInString(marks[res.state])))
	return r.mark(res.state) + pad + fmt.Sprintf("%.1fs", res.took.Seconds())
}

// checkOne checks e alone, explains a failure, and returns the exit code:
// 0 when e is solved (or has no stub to check), 1 when it is not.
func (r *runner) checkOne(ctx context.Context, e exercise) int {
	fmt.Fprintf(r.out, "  %-14s ", e.label)
	res := r.check(ctx, e)
	fmt.Fprintln(r.out, r.line(res))
	if ctx.Err() != nil {
		return 130
	}
	r.remember(e, res)
	switch res.state {
	case solved:
		// Suggest the next exercise not solved yet, as far as earlier checks know.
		for i := slices.IndexFunc(r.exercises, func(x exercise) bool { return x.name == e.name }) + 1; i < len(r.exercises); i++ {
			if n := r.exercises[i]; !r.solvedBefore(n) && len(r.stubs(n)) > 0 {
				fmt.Fprintf(r.out, "\nWell done. Next: %s, in %s.\n", n.label, strings.Join(r.stubs(n), " and "))
				break
			}
		}
	case missing:
	default:
		r.explain(e, res)
		return 1
	}
	return 0
}

// pick finds the exercise an argument names: "02", "02-spawn", "./02-spawn"
// or "bonus". No argument picks none.
func (r *runner) pick(args []string) (*exercise, error) {
	if len(args) == 0 {
		return nil, nil
	}
	if len(args) > 1 {
		return nil, fmt.Errorf("one exercise at a time, got %q", args)
	}
	// PowerShell completes a folder as .\02-spawn\ on Windows.
	want := strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(args[0]), "./"), "/")
	for i, e := range r.exercises {
		if want == e.name || (!e.bonus && want == e.dir) {
			return &r.exercises[i], nil
		}
	}
	var names []string
	for _, e := range r.exercises {
		names = append(names, e.name)
	}
	return nil, fmt.Errorf("no exercise %q; there are %s", args[0], strings.Join(names, ", "))
}

// findRoot is the folder of the go.work file that the go command uses here.
func findRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOWORK").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOWORK: %w (is Go installed?)", err)
	}
	gowork := strings.TrimSpace(string(out))
	if gowork == "" || gowork == "off" {
		return "", errors.New("no go.work here: run go run ./workshop from the root of the repository")
	}
	return filepath.Dir(gowork), nil
}

// isTerminal reports whether f is a terminal that acts on ANSI escape
// codes, for colours and clearing the screen; elsewhere the runner writes
// plain text.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb" && enableANSI(f)
}
