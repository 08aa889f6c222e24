package miniredistest

import (
	"sync/atomic"
	"testing"
)

// firstFailure is the name of the first test of this test binary that
// failed after calling SkipAfterFailure, or nil while none has.
var firstFailure atomic.Pointer[string]

// SkipAfterFailure skips t if a test that called it (or Serve) earlier in
// this test binary has failed, and makes t that test if t fails. A chapter's
// check then says one thing at a time: the first mistake, in the words of
// the test that found it, and not the same mistake again in every test
// after it, each waiting out its own timeout. go test -v lists what was
// skipped.
func SkipAfterFailure(t testing.TB) {
	t.Helper()
	if name := firstFailure.Load(); name != nil {
		t.Skipf("skipped: %s failed first; this test runs again once that one passes", *name)
	}
	t.Cleanup(func() {
		if t.Failed() {
			name := t.Name()
			firstFailure.CompareAndSwap(nil, &name)
		}
	})
}
