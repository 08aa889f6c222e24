package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// hint prints the next hint of the exercise args names, or of the first
// unsolved one, and remembers how many of its hints you have seen.
func (r *runner) hint(ctx context.Context, args []string) int {
	e, err := r.pick(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "workshop:", err)
		return 2
	}
	if e == nil {
		if e = r.firstUnsolved(ctx); e == nil {
			if ctx.Err() == nil {
				fmt.Fprintln(r.out, "No exercise is left unsolved, so no hint is needed. `go run ./workshop hint NN` still shows NN's.")
			}
			return 0
		}
	}

	text, err := os.ReadFile(filepath.Join(r.root, e.hints))
	if err != nil {
		fmt.Fprintf(r.out, "%s has no hints yet (%s).\n", e.label, e.hints)
		return 0
	}
	hints := parseHints(string(text))
	if len(hints) == 0 {
		fmt.Fprintf(r.out, "%s has no \"## Hint 1\" section.\n", e.hints)
		return 1
	}

	st := r.load()
	shown := st.Hints[e.name]
	if shown >= len(hints) {
		fmt.Fprintf(r.out, "You have seen all %d hints for %s.\n%s\n", len(hints), e.label, r.solution(*e))
		fmt.Fprintf(r.out, "To see them again from the first, delete %s.\n", r.rel(r.stateFile()))
		return 0
	}
	shown++
	fmt.Fprintf(r.out, "%s, hint %d of %d:\n\n%s\n\n", e.label, shown, len(hints), hints[shown-1])
	if shown == len(hints) {
		fmt.Fprintf(r.out, "That was the last hint. %s\n", r.solution(*e))
	} else {
		fmt.Fprintf(r.out, "`go run ./workshop hint %s` shows the next one.\n", e.name)
	}
	st.Hints[e.name] = shown
	r.save(st)
	return 0
}

// parseHints splits a HINTS.md into the sections headed "## Hint 1",
// "## Hint 2", ... Any other "## " heading ends a hint. Lines inside
// ``` fences are never headings.
func parseHints(text string) []string {
	var hints []string
	in, fence := false, false
	var cur strings.Builder
	flush := func() {
		if in {
			hints = append(hints, strings.TrimSpace(cur.String()))
		}
		cur.Reset()
	}
	for _, line := range strings.SplitAfter(text, "\n") {
		if strings.HasPrefix(line, "```") {
			fence = !fence
		}
		if !fence && strings.HasPrefix(line, "## ") {
			flush()
			in = strings.HasPrefix(line, "## Hint")
			continue
		}
		if in {
			cur.WriteString(line)
		}
	}
	flush()
	return hints
}

// solution says where the reference solution of e is.
func (r *runner) solution(e exercise) string {
	sol := r.solutions(e)
	if len(sol) == 0 {
		return fmt.Sprintf("The solution is in %s, in the files you do not edit.", e.dir)
	}
	return fmt.Sprintf("The solution is in %s (built without -tags exercise).", strings.Join(sol, " and "))
}

// firstUnsolved is the first exercise that is not solved, bonus last. It
// trusts an earlier check whose chapter folder has not changed since, so a
// hint usually comes at once; it checks the rest, in order.
func (r *runner) firstUnsolved(ctx context.Context) *exercise {
	for _, bonus := range []bool{false, true} {
		for i, e := range r.exercises {
			if e.bonus != bonus || r.solvedBefore(e) {
				continue
			}
			if rec, ok := r.load().Checks[e.name]; ok && !rec.Solved && r.unchangedSince(e, rec.At) {
				return &r.exercises[i]
			}
			fmt.Fprintf(r.out, "checking %s... ", e.label)
			res := r.check(ctx, e)
			fmt.Fprintln(r.out, r.mark(res.state))
			if ctx.Err() != nil {
				return nil
			}
			r.remember(e, res)
			if res.state != solved && res.state != missing {
				fmt.Fprintln(r.out)
				return &r.exercises[i]
			}
		}
	}
	return nil
}

// saved is the state file: what the runner remembers between runs.
type saved struct {
	Hints  map[string]int    `json:"hints"`  // hints shown, by exercise name
	Checks map[string]record `json:"checks"` // the last check, by exercise name
}

type record struct {
	Solved bool      `json:"solved"`
	At     time.Time `json:"at"`
}

func (r *runner) stateFile() string { return filepath.Join(r.stateDir, "state.json") }

// load reads the state file; a missing or damaged one is an empty state.
func (r *runner) load() saved {
	st := saved{Hints: map[string]int{}, Checks: map[string]record{}}
	if b, err := os.ReadFile(r.stateFile()); err == nil {
		_ = json.Unmarshal(b, &st)
	}
	if st.Hints == nil {
		st.Hints = map[string]int{}
	}
	if st.Checks == nil {
		st.Checks = map[string]record{}
	}
	return st
}

// save writes the state file, through a temporary file and a rename so
// that watch in one terminal and hint in another never read half a file.
// Failing to save is not worth stopping for: the runner only forgets.
func (r *runner) save(st saved) {
	b, _ := json.MarshalIndent(st, "", "  ")
	_ = os.MkdirAll(r.stateDir, 0o755)
	tmp, err := os.CreateTemp(r.stateDir, "state-*.json")
	if err != nil {
		return
	}
	_, err = tmp.Write(append(b, '\n'))
	if err = errors.Join(err, tmp.Close()); err == nil {
		err = os.Rename(tmp.Name(), r.stateFile())
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
}

// remember records the result of a check that finished, with the time it
// started: a file saved during the check makes the record stale.
func (r *runner) remember(e exercise, res result) {
	if res.state == stopped || res.state == missing {
		return
	}
	st := r.load()
	st.Checks[e.name] = record{Solved: res.state == solved, At: res.start}
	r.save(st)
}

// solvedBefore reports whether e was solved at its last check and its
// folder has not changed since.
func (r *runner) solvedBefore(e exercise) bool {
	rec, ok := r.load().Checks[e.name]
	return ok && rec.Solved && r.unchangedSince(e, rec.At)
}

// unchangedSince reports whether no file in e's folder was modified after t.
func (r *runner) unchangedSince(e exercise, t time.Time) bool {
	entries, err := os.ReadDir(filepath.Join(r.root, e.dir))
	if err != nil {
		return false
	}
	for _, en := range entries {
		if fi, err := en.Info(); err != nil || fi.ModTime().After(t) {
			return false
		}
	}
	return true
}

// rel is path relative to the root, for messages.
func (r *runner) rel(path string) string {
	if p, err := filepath.Rel(r.root, path); err == nil && !strings.HasPrefix(p, "..") {
		return p
	}
	return path
}
