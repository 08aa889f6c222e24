package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// watch checks again each time a .go file in a chapter folder is saved.
// With an argument it checks that exercise only. Without, it first lists
// the exercises up to the first unsolved one; after a save, it checks the
// exercise whose file was saved, so you can work on 03 before 02 is done.
func (r *runner) watch(ctx context.Context, args []string) int {
	only, err := r.pick(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "workshop:", err)
		return 2
	}
	r.watching = true
	var todo []exercise // what to check next; none: the list
	if only != nil {
		todo = []exercise{*only}
	}
	for {
		before := r.snapshot()
		if r.tty {
			fmt.Fprint(r.out, "\033[H\033[2J") // clear the screen
		}
		if len(todo) == 0 {
			r.progress(ctx)
		}
		for _, e := range todo {
			r.checkOne(ctx, e)
		}
		if ctx.Err() != nil {
			return 0
		}
		fmt.Fprintf(r.out, "\n%s  watching for saved .go files; Ctrl-C stops\n", time.Now().Format("15:04:05"))
		changed, ok := r.waitForChange(ctx, before)
		if !ok {
			fmt.Fprintln(r.out)
			return 0
		}
		if only == nil {
			todo = r.touched(changed)
		}
	}
}

// progress lists the exercises up to the first unsolved one and explains it.
// An exercise solved at an earlier check whose folder has not changed since
// is not checked again.
func (r *runner) progress(ctx context.Context) {
	results := make([]result, len(r.exercises))
	for i, e := range r.exercises {
		fmt.Fprintf(r.out, "  %-14s ", e.label)
		if r.solvedBefore(e) {
			fmt.Fprintf(r.out, "%s    (unchanged since it was solved)\n", r.mark(solved))
			results[i] = result{state: solved}
			continue
		}
		results[i] = r.check(ctx, e)
		fmt.Fprintln(r.out, r.line(results[i]))
		if ctx.Err() != nil {
			return
		}
		r.remember(e, results[i])
		if s := results[i].state; s != solved && s != missing {
			r.explain(e, results[i])
			return
		}
	}
	r.summary(results)
}

// touched is what to check after files changed: the exercises whose stub
// changed or, if no stub did (a test file, say), every exercise of the
// folders that changed.
func (r *runner) touched(changed []string) []exercise {
	var stubs, folders []exercise
	for _, e := range r.exercises {
		if slices.ContainsFunc(r.stubs(e), func(s string) bool { return slices.Contains(changed, s) }) {
			stubs = append(stubs, e)
		}
		if slices.ContainsFunc(changed, func(c string) bool { return filepath.Dir(c) == e.dir }) {
			folders = append(folders, e)
		}
	}
	if len(stubs) > 0 {
		return stubs
	}
	return folders
}

// snapshot maps each .go file of the chapter folders, relative to the root,
// to its size and modification time: a save changes one or the other.
func (r *runner) snapshot() map[string]string {
	snap := map[string]string{}
	for _, e := range r.exercises {
		files, _ := filepath.Glob(filepath.Join(r.root, e.dir, "*.go"))
		for _, f := range files {
			if fi, err := os.Stat(f); err == nil {
				snap[r.rel(f)] = fmt.Sprint(fi.Size(), fi.ModTime().UnixNano())
			}
		}
	}
	return snap
}

// waitForChange polls the snapshot every 300 ms until it differs from
// before, and returns the files that were saved, created or deleted. It
// returns false if ctx is done first.
func (r *runner) waitForChange(ctx context.Context, before map[string]string) ([]string, bool) {
	tick := time.NewTicker(300 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, false
		case <-tick.C:
		}
		now := r.snapshot()
		var changed []string
		for f, stamp := range now {
			if before[f] != stamp {
				changed = append(changed, f)
			}
		}
		for f := range before {
			if _, ok := now[f]; !ok {
				changed = append(changed, f)
			}
		}
		if len(changed) > 0 {
			return changed, true
		}
	}
}
