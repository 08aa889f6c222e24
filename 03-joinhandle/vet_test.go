//go:build exercise

package main

import (
	"os/exec"
	"testing"
)

// TestVet runs go vet over your code with all of its checks. go test runs
// only a few of them, and not the one that catches a WaitGroup.Add called
// inside the goroutine it counts, which races with Wait.
func TestVet(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command in PATH")
	}
	out, err := exec.Command("go", "vet", "-tags", "exercise", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go vet -tags exercise finds a mistake:\n%s", out)
	}
}
