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
