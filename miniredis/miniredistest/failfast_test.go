package miniredistest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// fakeTB is a test that fails or skips without touching the real one, so
// that SkipAfterFailure can be watched across tests.
type fakeTB struct {
	testing.TB
	name     string
	failed   bool
	skipped  string
	cleanups []func()
}

func (f *fakeTB) Helper()                       {}
func (f *fakeTB) Name() string                  { return f.name }
func (f *fakeTB) Failed() bool                  { return f.failed }
func (f *fakeTB) Cleanup(fn func())             { f.cleanups = append(f.cleanups, fn) }
func (f *fakeTB) Skipf(format string, a ...any) { f.skipped = format }

// end runs the cleanups, as the end of a test does.
func (f *fakeTB) end() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

func TestSkipAfterFailure(t *testing.T) {
	// The first failure of the binary is kept; put it back when done, so
	// the other tests of this package still run.
	t.Cleanup(func() { firstFailure.Store(nil) })

	passing := &fakeTB{TB: t, name: "TestA"}
	SkipAfterFailure(passing)
	passing.end()
	assert.Empty(t, passing.skipped)

	failing := &fakeTB{TB: t, name: "TestB/the_reply"}
	SkipAfterFailure(failing)
	failing.failed = true
	failing.end()
	assert.Empty(t, failing.skipped, "a test is not skipped for its own failure")

	later := &fakeTB{TB: t, name: "TestC"}
	SkipAfterFailure(later)
	assert.Equal(t, "skipped: %s failed first; this test runs again once that one passes", later.skipped)
	assert.Equal(t, "TestB/the_reply", *firstFailure.Load())
}
