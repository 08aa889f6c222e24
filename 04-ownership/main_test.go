package main

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if any goroutine a test started is still running
// at the end: a goroutine may outlive its caller, but not its test.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
