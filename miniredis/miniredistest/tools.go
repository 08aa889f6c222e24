package miniredistest

import (
	"os"
	"os/exec"
	"testing"
)

// RedisTool returns the path of name, one of the programs of the Redis
// packages such as redis-cli, redis-benchmark or redis-server. Where it is
// not on PATH the test is skipped, unless the environment sets
// REQUIRE_REDIS_TOOLS=1, as CI does, which makes that a failure.
func RedisTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("REQUIRE_REDIS_TOOLS") == "1" {
			t.Fatalf("%s is not on PATH, and REQUIRE_REDIS_TOOLS=1", name)
		}
		t.Skipf("%s is not on PATH", name)
	}
	return path
}

// Vet runs go vet over the package of the running test, built with tags,
// and fails the test with what vet reports. go test runs only a few of
// vet's checks, and not the one that catches a WaitGroup.Add called inside
// the goroutine it counts, which races with Wait; go vet runs them all.
func Vet(t testing.TB, tags string) {
	t.Helper()
	SkipAfterFailure(t)
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command in PATH")
	}
	out, err := exec.Command("go", "vet", "-tags", tags, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go vet -tags %s finds a mistake:\n%s", tags, out)
	}
}
