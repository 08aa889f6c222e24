package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	rtrace "runtime/trace"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// The traces in testdata/trace are real runs of the chapters' TestTrace,
// made by go run ./workshop trace -o FILE NN.

func readTestTrace(t *testing.T, name string) *timeline {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "trace", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tl, err := readTimeline(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return tl
}

func rowNames(tl *timeline) []string {
	var names []string
	for _, r := range tl.rows {
		names = append(names, r.name)
	}
	return names
}

func TestTimeline(t *testing.T) {
	t.Run("02: the accept loop and one row per connection, named by client", func(t *testing.T) {
		tl := readTestTrace(t, "02-spawn.trace")
		if got, want := strings.Join(rowNames(tl), ", "), "accept loop, conn A, conn B, conn C"; got != want {
			t.Errorf("rows: got %s, want %s", got, want)
		}
		a, b := tl.client("A"), tl.client("B")
		if !answered(b) || b.requests[0].answered > a.hungUp {
			t.Errorf("B answered at %v, A hung up at %v: want B answered first", b.requests[0].answered, a.hungUp)
		}
		// conn A waits on the network for A's request from when it starts
		// until A hangs up.
		connA := tl.row("conn A")
		if d := connA.waited(waitNet); d < a.hungUp/2 {
			t.Errorf("conn A waited on the network for %v of %v", d, a.hungUp)
		}
		if _, ok := claims["02"](tl); !ok {
			t.Error("02's claim does not hold on 02's trace")
		}
		if claim, ok := claims["01"](tl); ok {
			t.Errorf("01's claim holds on 02's trace: %s", claim)
		}
	})
	t.Run("01: the accept loop serves A, then B, then C, and B's reply comes after A's hang-up", func(t *testing.T) {
		tl := readTestTrace(t, "01-accept.trace")
		if got, want := strings.Join(rowNames(tl), ", "), "accept loop"; got != want {
			t.Errorf("rows: got %s, want %s", got, want)
		}
		var order []string
		for _, s := range tl.rows[0].serves {
			order = append(order, s.client)
		}
		if got := strings.Join(order, ""); got != "ABC" {
			t.Errorf("the accept loop served %q, want ABC", got)
		}
		a, b := tl.client("A"), tl.client("B")
		if !answered(b) || b.requests[0].answered < a.hungUp {
			t.Errorf("B answered at %v, A hung up at %v: want B answered after", b.requests[0].answered, a.hungUp)
		}
		if _, ok := claims["01"](tl); !ok {
			t.Error("01's claim does not hold on 01's trace")
		}
		if claim, ok := claims["02"](tl); ok {
			t.Errorf("02's claim holds on 01's trace: %s", claim)
		}
	})
}

func TestClaims(t *testing.T) {
	traces := map[string]string{
		"01": "01-accept.trace", "02": "02-spawn.trace", "03": "03-joinhandle.trace",
		"04": "04-ownership.trace", "04-io": "04-ownership-io.trace", "05": "05-process.trace",
	}
	for name, file := range traces {
		t.Run(name+"'s claim holds on its own run", func(t *testing.T) {
			tl := readTestTrace(t, file)
			if claim, ok := claims[name](tl); !ok {
				t.Errorf("%s: ✗ %s", file, claim)
			}
		})
	}
	// Each claim that tells a good server from a mistake fails on the
	// mistake's run.
	for _, tc := range []struct{ claim, file string }{
		{"02", "01-accept.trace"},       // the accept loop serves each client to the end
		{"04", "04-ownership-io.trace"}, // the mutex held across I/O
		{"04-io", "04-ownership.trace"}, // and the claim of the mistake fails on the right server
		{"01", "02-spawn.trace"},
	} {
		t.Run(tc.claim+"'s claim fails on "+tc.file, func(t *testing.T) {
			if claim, ok := claims[tc.claim](readTestTrace(t, tc.file)); ok {
				t.Errorf("✓ %s", claim)
			}
		})
	}
	t.Run("03: the panicking goroutine is marked, and the shutdown is on the timeline", func(t *testing.T) {
		tl := readTestTrace(t, "03-joinhandle.trace")
		connB := tl.row("conn B")
		if connB == nil || connB.panicked < 0 || connB.ended < 0 {
			t.Fatalf("conn B: %+v", connB)
		}
		if tl.shutdown < 0 {
			t.Error("no shutdown")
		}
		if loop := tl.row("accept loop"); loop.waited(waitOther) == 0 {
			t.Error("the accept loop never waited on its WaitGroup")
		}
	})
	t.Run("04-io: the other connections' goroutines wait for the lock", func(t *testing.T) {
		tl := readTestTrace(t, "04-ownership-io.trace")
		for _, name := range []string{"conn B", "conn C"} {
			if r := tl.row(name); r == nil || r.waited(waitLock) < tl.client("A").hungUp/2 {
				t.Errorf("%s did not wait for the lock while A was connected", name)
			}
		}
	})
}

// TestTimelineOfALiveTrace traces a small goroutine-per-connection server
// in this test, logging on the trace what miniredis and the scenarios log,
// and checks that n connections give n rows.
func TestTimelineOfALiveTrace(t *testing.T) {
	if rtrace.IsEnabled() {
		t.Skip("a trace is already being taken")
	}
	const n = 5
	var buf bytes.Buffer
	if err := rtrace.Start(&buf); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rtrace.Log(ctx, logScenario, "start")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var served sync.WaitGroup
	served.Go(func() {
		rtrace.Log(ctx, logRole, "accept loop")
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			served.Go(func() {
				defer conn.Close()
				rtrace.Log(ctx, logRead, conn.RemoteAddr().String())
				b := make([]byte, 1)
				if _, err := conn.Read(b); err == nil {
					conn.Write(b)
				}
			})
		}
	})
	var clients sync.WaitGroup
	for i := range n {
		name := string(rune('A' + i))
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		rtrace.Log(ctx, logClient, name+" "+conn.LocalAddr().String())
		clients.Go(func() {
			defer conn.Close()
			rtrace.Log(ctx, logSend, name+" x")
			conn.Write([]byte("x"))
			b := make([]byte, 1)
			conn.Read(b)
			rtrace.Log(ctx, logReply, name+" x")
			rtrace.Log(ctx, logHangUp, name)
		})
	}
	clients.Wait()
	ln.Close()
	served.Wait()
	rtrace.Log(ctx, logScenario, "end")
	rtrace.Stop()

	tl, err := readTimeline(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(tl.connRows()); got != n {
		t.Errorf("%d connections gave %d connection rows: %v", n, got, rowNames(tl))
	}
	for i, r := range tl.connRows() {
		if want := "conn " + string(rune('A'+i)); r.name != want {
			t.Errorf("row %d is %q, want %q", i, r.name, want)
		}
		if r.ended < 0 {
			t.Errorf("%s never ended", r.name)
		}
	}
	if len(tl.clients) != n {
		t.Errorf("%d clients, want %d", len(tl.clients), n)
	}
}

func TestReadTimelineErrors(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "trace", "02-spawn.trace"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"an empty file is not a trace", nil, "not a Go execution trace"},
		{"a text file is not a trace", []byte("hello\n"), "not a Go execution trace"},
		{"a trace cut in half is cut short", good[:len(good)/2], "cut short"},
		{"a trace cut after its header is cut short", good[:40], "cut short"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readTimeline(bytes.NewReader(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
	t.Run("a trace of something else has no scenario", func(t *testing.T) {
		if rtrace.IsEnabled() {
			t.Skip("a trace is already being taken")
		}
		var buf bytes.Buffer
		if err := rtrace.Start(&buf); err != nil {
			t.Fatal(err)
		}
		rtrace.Stop()
		if _, err := readTimeline(&buf); !errors.Is(err, errNoScenario) {
			t.Errorf("got %v, want %v", err, errNoScenario)
		}
	})
}

func TestDrawText(t *testing.T) {
	for _, name := range []string{"01-accept.trace", "02-spawn.trace"} {
		t.Run(name+" fits in 80 and 100 columns, without colour codes", func(t *testing.T) {
			tl := readTestTrace(t, name)
			for _, width := range []int{80, 100} {
				var out bytes.Buffer
				drawText(&out, tl, width, false)
				if strings.Contains(out.String(), "\033[") {
					t.Error("colour codes in plain text")
				}
				for _, line := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n") {
					if n := utf8.RuneCountInString(line); n > width {
						t.Errorf("%d runes in a %d-column drawing: %q", n, width, line)
					}
				}
				for _, r := range tl.rows {
					if !strings.Contains(out.String(), r.name) {
						t.Errorf("no line for %s", r.name)
					}
				}
			}
		})
	}
}

func TestDrawSVG(t *testing.T) {
	for _, name := range []string{"01-accept.trace", "02-spawn.trace"} {
		t.Run(name+" is well-formed XML with a row for each goroutine", func(t *testing.T) {
			tl := readTestTrace(t, name)
			var out bytes.Buffer
			drawSVG(&out, tl, "title & <story>", "story", "claim")
			if err := checkXML(out.Bytes()); err != nil {
				t.Fatalf("not well-formed: %v", err)
			}
			for _, r := range tl.rows {
				if !strings.Contains(out.String(), ">"+r.name+"<") {
					t.Errorf("no row for %s", r.name)
				}
			}
		})
	}
}

func TestTraceCommand(t *testing.T) {
	t.Run("draws a trace made before, and says whether the chapter's claim holds", func(t *testing.T) {
		var out bytes.Buffer
		r := &runner{out: &out, stateDir: t.TempDir()}
		svg := filepath.Join(t.TempDir(), "02.svg")
		if err := r.trace(t.Context(), []string{"-read", filepath.Join("testdata", "trace", "02-spawn.trace"), "-svg", svg, "-check", "02"}); err != nil {
			t.Fatalf("%v:\n%s", err, out.String())
		}
		for _, want := range []string{"accept loop", "conn B", "✓ B was answered", "go tool trace"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("no %q in:\n%s", want, out.String())
			}
		}
		if _, err := os.Stat(svg); err != nil {
			t.Error(err)
		}
	})
	t.Run("-check fails when the picture does not show the chapter's claim", func(t *testing.T) {
		var out bytes.Buffer
		r := &runner{out: &out, stateDir: t.TempDir()}
		err := r.trace(t.Context(), []string{"-read", filepath.Join("testdata", "trace", "01-accept.trace"), "-check", "02"})
		if !errors.Is(err, errClaim) || !strings.Contains(out.String(), "✗ B was answered only after A hung up") {
			t.Errorf("got %v, want %v, and a ✗ in:\n%s", err, errClaim, out.String())
		}
	})
	t.Run("a damaged trace gets a clear error", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad.trace")
		if err := os.WriteFile(bad, []byte("go 1.26 trace\x00\x00\x00garbage"), 0o644); err != nil {
			t.Fatal(err)
		}
		r := &runner{out: io.Discard, stateDir: t.TempDir()}
		err := r.trace(t.Context(), []string{"-read", bad, "02"})
		if err == nil || !strings.Contains(err.Error(), "bad.trace: the trace is cut short or damaged") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("flags may come after the chapter", func(t *testing.T) {
		var out bytes.Buffer
		r := &runner{out: &out, stateDir: t.TempDir()}
		svg := filepath.Join(t.TempDir(), "02.svg")
		if err := r.trace(t.Context(), []string{"02", "-read", filepath.Join("testdata", "trace", "02-spawn.trace"), "-svg", svg}); err != nil {
			t.Fatalf("%v:\n%s", err, out.String())
		}
		if _, err := os.Stat(svg); err != nil {
			t.Error(err)
		}
	})
	t.Run("two chapters are a usage error", func(t *testing.T) {
		r := &runner{out: io.Discard, stateDir: t.TempDir()}
		var usage usageError
		if err := r.trace(t.Context(), []string{"02", "03"}); !errors.As(err, &usage) {
			t.Errorf("got %v, want a usage error", err)
		}
	})
	t.Run("an unknown chapter is a usage error", func(t *testing.T) {
		r := &runner{out: io.Discard, stateDir: t.TempDir()}
		var usage usageError
		if err := r.trace(t.Context(), []string{"07"}); !errors.As(err, &usage) {
			t.Errorf("got %v, want a usage error", err)
		}
	})
}
