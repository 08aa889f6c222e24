package miniredistest

import (
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
	pc := reflect.ValueOf(fn).Pointer()
	f := runtime.FuncForPC(pc)
	if f == nil {
		t.Fatalf("NoDeferInLoop: %T is not a function", fn)
	}
	file, _ := f.FileLine(pc)
	name := f.Name()[strings.LastIndex(f.Name(), ".")+1:]

	fset := token.NewFileSet()
	parsed, err := parser.ParseFile(fset, file, nil, 0)
	if err != nil {
		t.Skipf("the source of %s is not readable here: %v", name, err)
	}
	for _, decl := range parsed.Decls {
		if d, ok := decl.(*ast.FuncDecl); ok && d.Recv == nil && d.Name.Name == name && d.Body != nil {
			if pos := deferInLoop(d.Body, false); pos.IsValid() {
				at := fset.Position(pos)
				t.Fatalf("%s defers inside its loop (%s:%d): a defer runs when %s returns, not at the end of the "+
					"iteration, so it piles up for every connection until the server stops; leave closing the "+
					"connection to process", name, filepath.Base(at.Filename), at.Line, name)
			}
		}
	}
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
