package main

import (
	"bufio"
	"go/build/constraint"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// stubs are the files you edit for e: the .go files of its folder (tests
// aside) that are built with all of e's tags and without any one of them.
// For 02 that is 02-spawn/exercise.go; for the bonus, whichever file needs
// both exercise and bonus.
func (r *runner) stubs(e exercise) []string {
	tags := strings.Split(e.tags, ",")
	return r.files(e.dir, func(expr constraint.Expr) bool {
		return builds(expr, tags) && !slices.ContainsFunc(tags, func(t string) bool { return builds(expr, without(tags, t)) })
	})
}

// solutions are the reference solution of e: the files built with e's tags
// other than exercise, and not with exercise.
func (r *runner) solutions(e exercise) []string {
	tags := without(strings.Split(e.tags, ","), "exercise")
	all := append(tags, "exercise")
	return r.files(e.dir, func(expr constraint.Expr) bool {
		return builds(expr, tags) && !builds(expr, all) &&
			!slices.ContainsFunc(tags, func(t string) bool { return builds(expr, without(tags, t)) })
	})
}

// files lists, relative to the root, the non-test .go files of dir whose
// //go:build line satisfies keep.
func (r *runner) files(dir string, keep func(constraint.Expr) bool) []string {
	paths, _ := filepath.Glob(filepath.Join(r.root, dir, "*.go"))
	var out []string
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		if expr := buildLine(p); expr != nil && keep(expr) {
			out = append(out, r.rel(p))
		}
	}
	return out
}

// buildLine parses the //go:build line of a file, or returns nil.
func buildLine(path string) constraint.Expr {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "package ") {
			return nil
		}
		if constraint.IsGoBuild(line) {
			expr, _ := constraint.Parse(line)
			return expr
		}
	}
	return nil
}

// builds reports whether expr holds with exactly these tags on.
func builds(expr constraint.Expr, tags []string) bool {
	return expr.Eval(func(tag string) bool { return slices.Contains(tags, tag) })
}

func without(tags []string, t string) []string {
	return slices.DeleteFunc(slices.Clone(tags), func(s string) bool { return s == t })
}
