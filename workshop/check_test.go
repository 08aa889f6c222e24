package main

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// capturedRoot is where the fixture course was when testdata/events was
// captured with go test -json -tags exercise (see testdata/README).
const capturedRoot = "/work/main/workshop/testdata/course"

func parseFile(t *testing.T, name string) result {
	t.Helper()
	f, err := os.Open("testdata/events/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return parse(f, capturedRoot)
}

func TestParse(t *testing.T) {
	t.Run("a package whose tests pass is solved", func(t *testing.T) {
		res := parseFile(t, "pass.jsonl")
		if res.state != solved || res.ran != 1 {
			t.Errorf("state %v, ran %d; want solved, 1", res.state, res.ran)
		}
	})

	t.Run("the first failure is the first subtest that failed, with its own output", func(t *testing.T) {
		res := parseFile(t, "fail.jsonl")
		if res.state != failed {
			t.Fatalf("state %v, want failed", res.state)
		}
		if want := "TestDouble/two_is_doubled_to_four"; res.failed != want {
			t.Errorf("failed %q, want %q", res.failed, want)
		}
		want := []string{
			"    double_test.go:13: calling Double(2)",
			"    double_test.go:15: Double(2) = 2, want 4: does Double multiply by two?",
		}
		if strings.Join(res.output, "\n") != strings.Join(want, "\n") {
			t.Errorf("output:\n%s\nwant:\n%s", strings.Join(res.output, "\n"), strings.Join(want, "\n"))
		}
	})

	t.Run("a package that does not build gives the compiler's message", func(t *testing.T) {
		res := parseFile(t, "build.jsonl")
		if res.state != broken {
			t.Fatalf("state %v, want broken", res.state)
		}
		want := "03-broken/exercise.go:7:9: cannot use 42 (untyped int constant) as string value in return statement"
		if len(res.build) != 1 || res.build[0] != want {
			t.Errorf("build %q, want [%q]", res.build, want)
		}
	})

	t.Run("a test binary that times out blames the running test and points into your files", func(t *testing.T) {
		res := parseFile(t, "timeout.jsonl")
		if res.state != failed || res.failed != "TestWait" {
			t.Fatalf("state %v, failed %q; want failed, TestWait", res.state, res.failed)
		}
		out := strings.Join(res.output, "\n")
		for _, want := range []string{"panic: test timed out after 1s", "  at 04-hang/exercise.go:6", "  at 04-hang/wait_test.go:6"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "testing.go") || strings.Contains(out, "goroutine ") {
			t.Errorf("output keeps the standard library's frames:\n%s", out)
		}
	})

	t.Run("a package that passes without running a test is not solved", func(t *testing.T) {
		res := parseFile(t, "notests.jsonl")
		if res.state != noTests {
			t.Errorf("state %v, want noTests", res.state)
		}
	})
}

func TestTrim(t *testing.T) {
	t.Run("testify's trace and test-name lines go, its error and message stay", func(t *testing.T) {
		in := []string{
			"=== RUN   TestServe/b_is_served",
			"    server_test.go:55: ",
			"        \tError Trace:\t/repo/02-spawn/server_test.go:55",
			"        \tError:      \tReceived unexpected error:",
			"        \t            \tread tcp: i/o timeout",
			"        \tTest:       \tTestServe/b_is_served",
			"        \tMessages:   \tclient B was not answered",
			"--- FAIL: TestServe/b_is_served (5.00s)",
		}
		got := trim(in, "/repo")
		want := []string{
			"    server_test.go:55: ",
			"        \tError:      \tReceived unexpected error:",
			"        \t            \tread tcp: i/o timeout",
			"        \tMessages:   \tclient B was not answered",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})

	t.Run("only the first of several data race reports is shown", func(t *testing.T) {
		report := []string{
			"==================",
			"WARNING: DATA RACE",
			"Write at 0x00c000097c50 by goroutine 185:",
			"  main.(*store).set()",
			"      /repo/05-process/shared_exercise.go:27 +0x44",
			"==================",
		}
		in := append(append(slices.Clone(report), report...), "    testing.go:1712: race detected during execution of test")
		got := trim(in, "/repo")
		// The test's words come first, the report of where after them.
		want := []string{
			"    testing.go:1712: race detected during execution of test",
			"WARNING: DATA RACE",
			"Write at 0x00c000097c50 by goroutine 185:",
			"  at 05-process/shared_exercise.go:27  main.(*store).set",
			"(more data races were reported: run the check by hand to see them all)",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})

	t.Run("long output is cut and says so", func(t *testing.T) {
		in := make([]string, 100)
		for i := range in {
			in[i] = "line"
		}
		got := trim(in, "/repo")
		if len(got) != maxLines+1 || !strings.Contains(got[maxLines], "70 more lines") {
			t.Errorf("got %d lines ending %q", len(got), got[len(got)-1])
		}
	})
}

// A data race report keeps its headers and the frames in your files.
func TestParseRace(t *testing.T) {
	res := parseFile(t, "race.jsonl")
	if res.state != failed || res.failed != "TestCount" {
		t.Fatalf("state %v, failed %q; want failed, TestCount", res.state, res.failed)
	}
	out := strings.Join(res.output, "\n")
	for _, want := range []string{"WARNING: DATA RACE", "Previous write at", "  at 05-race/exercise.go:12", "race detected during execution of test"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "testing.go:20") || strings.Contains(out, "tRunner") {
		t.Errorf("output keeps the standard library's frames:\n%s", out)
	}
}

func TestWindowsPaths(t *testing.T) {
	// A stack trace on Windows writes C:/repo/02-spawn/x.go, where the
	// root is C:\repo: both forms are the learner's files.
	root := `C:\repo`
	if !inRoot("C:/repo/02-spawn/exercise.go:12", root) || !inRoot(`C:\repo\02-spawn\exercise.go:12`, root) {
		t.Error("a file under the root, in either form, is not seen as under it")
	}
	if inRoot("C:/Go/src/net/net.go:1", root) {
		t.Error("a file of the standard library is seen as under the root")
	}
}

func TestCommandQuotesCommas(t *testing.T) {
	// PowerShell splits an unquoted argument at a comma.
	e := exercise{dir: "05-process", tags: "exercise,bonus", run: "Bonus", race: true}
	want := `go test -race -tags "exercise,bonus" -count=1 -run Bonus -timeout 60s ./05-process`
	if got := e.command(60 * time.Second); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
