package miniredistest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// NoDeferInLoop fails the test if fn, a top-level function of the chapter
// (serve), has a defer statement inside a loop, outside any function
// literal. Such a defer runs when fn returns, not at the end of the
// iteration: in an accept loop, every connection's Close then waits for the
// server to stop. The server still answers, so no test over the wire can
// see it; the source can, as go vet would.
func NoDeferInLoop(t testing.TB, fn any) {
	t.Helper()
	SkipAfterFailure(t)
	name, body, fset := source(t, fn)
	if pos := deferInLoop(body, false); pos.IsValid() {
		t.Fatalf("%s defers inside its loop (%s): a defer runs when %s returns, not at the end of the "+
			"iteration, so it piles up for every connection until the server stops; leave closing the "+
			"connection to process", name, at(fset, pos), name)
	}
}

// NoGoInGoroutine fails the test if fn, a chapter's serve (a function or a
// method expression such as (*server).serve), starts a goroutine inside
// the function literal it runs as a connection's goroutine. That goroutine
// then returns at once, and its deferred Close closes the connection while
// the inner one still uses it: the race detector sees that only as a race
// deep inside miniredis.
func NoGoInGoroutine(t testing.TB, fn any) {
	t.Helper()
	SkipAfterFailure(t)
	name, body, fset := source(t, fn)
	var found token.Pos
	ast.Inspect(body, func(n ast.Node) bool {
		lit, ok := n.(*ast.FuncLit)
		if !ok || found.IsValid() {
			return !found.IsValid()
		}
		ast.Inspect(lit.Body, func(n ast.Node) bool {
			if g, ok := n.(*ast.GoStmt); ok && !found.IsValid() {
				found = g.Pos()
			}
			return !found.IsValid()
		})
		return false
	})
	if found.IsValid() {
		t.Fatalf("%s starts a goroutine inside a connection's goroutine (%s): that one returns at once and its "+
			"deferred Close closes the connection under the handler; call the handler directly", name, at(fset, found))
	}
}

// source parses the file that holds fn and returns fn's name and body.
func source(t testing.TB, fn any) (string, *ast.BlockStmt, *token.FileSet) {
	t.Helper()
	pc := reflect.ValueOf(fn).Pointer()
	f := runtime.FuncForPC(pc)
	if f == nil {
		t.Fatalf("%T is not a function", fn)
	}
	file, _ := f.FileLine(pc)
	name := strings.TrimSuffix(f.Name()[strings.LastIndex(f.Name(), ".")+1:], "-fm")

	fset := token.NewFileSet()
	parsed, err := parser.ParseFile(fset, file, nil, 0)
	if err != nil {
		t.Skipf("the source of %s is not readable here: %v", name, err)
	}
	for _, decl := range parsed.Decls {
		if d, ok := decl.(*ast.FuncDecl); ok && d.Name.Name == name && d.Body != nil {
			return name, d.Body, fset
		}
	}
	t.Skipf("%s is not in %s", name, file)
	return "", nil, nil
}

// at is pos as file:line, the file without its folder.
func at(fset *token.FileSet, pos token.Pos) string {
	p := fset.Position(pos)
	return fmt.Sprintf("%s:%d", filepath.Base(p.Filename), p.Line)
}

// deferInLoop returns the position of the first defer statement in n that
// is inside a loop, not counting function literals, whose defers run when
// the literal returns.
func deferInLoop(n ast.Node, inLoop bool) token.Pos {
	var found token.Pos
	ast.Inspect(n, func(n ast.Node) bool {
		if found.IsValid() {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ForStmt:
			found = deferInLoop(n.Body, true)
			return false
		case *ast.RangeStmt:
			found = deferInLoop(n.Body, true)
			return false
		case *ast.DeferStmt:
			if inLoop {
				found = n.Pos()
			}
		}
		return true
	})
	return found
}
