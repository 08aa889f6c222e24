package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// This file is the trace command: it runs a chapter's TestTrace under go
// test -trace, which plays the chapter's scenario against its server with
// real clients, then draws the server's goroutines from the trace.
// timeline.go reads the trace, draw.go and svg.go draw it, claims.go
// says what each chapter's picture must show.

// A scene is a chapter's scenario, as the trace command knows it.
type scene struct {
	dir     string // the chapter's folder
	test    string // the test that plays it
	title   string // the picture's title
	story   string // what the clients do
	variant bool   // a stand-in for the solution's process: no -tags
}

var scenes = map[string]scene{
	"01": {dir: "01-accept", test: "TestTrace", title: "01-accept: one client at a time",
		story: "A connects and stays silent; B and C connect after it and send SET. A hangs up after 150 ms."},
	"02": {dir: "02-spawn", test: "TestTrace", title: "02-spawn: a goroutine per connection",
		story: "A connects and stays silent; B and C connect after it and send SET. A hangs up after 150 ms."},
	"03": {dir: "03-joinhandle", test: "TestTrace", title: "03-joinhandle: a panic recovered, then a graceful shutdown",
		story: "A connects and stays silent. B sends PANIC: its handler panics. C sends SET: its handler holds it until the server is told to stop, then takes 30 ms to answer."},
	"04": {dir: "04-ownership", test: "TestTrace", title: "04-ownership: a count shared under a mutex",
		story: "A connects and stays silent; B and C connect after it and send SET. Each connection's goroutine locks the mutex to count its client. A hangs up after 150 ms."},
	"04-io": {dir: "04-ownership", test: "TestTraceLockAcrossIO", title: "04-ownership: the mutex held across I/O", variant: true,
		story: "As in 04, but each connection's goroutine holds the mutex while it waits for its client's request, the mistake the chapter warns of."},
	"05": {dir: "05-process", test: "TestTrace", title: "05-process: a pipeline",
		story: "A sends ten SETs and ten GETs in one write and reads the twenty replies; B sends a PING."},
}

const traceUsage = `Usage: go run ./workshop trace [flags] NN

NN is 01 to 05, or 04-io for 04 with its mutex held across I/O.

Runs chapter NN's server with real clients playing the chapter's scenario,
records every goroutine with Go's execution tracer, and draws the server's
goroutines: the accept loop, one row per connection, named by client.

Flags:
  -tags exercise  trace your exercise instead of the solution
  -svg FILE       also draw the picture as SVG in FILE
  -o FILE         where to write the trace (default .workshop/NN-name.trace)
  -read FILE      draw a trace made before instead of running the scenario
  -width N        columns of the drawing (default 100)
  -check          fail unless the picture shows what the chapter teaches
`

// traceCmd runs the trace command and returns the exit code.
func (r *runner) traceCmd(ctx context.Context, args []string) int {
	err := r.trace(ctx, args)
	var usage usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &usage):
		if usage.err != nil {
			fmt.Fprintf(os.Stderr, "workshop trace: %v\n\n", usage.err)
		}
		fmt.Fprint(os.Stderr, traceUsage)
		return 2
	}
	fmt.Fprintf(os.Stderr, "workshop trace: %v\n", err)
	return 1
}

// usageError is a command line that the trace command does not take.
type usageError struct{ err error }

func (e usageError) Error() string { return fmt.Sprint(e.err) }

// errClaim is the error of -check when the picture does not show what
// the chapter teaches.
var errClaim = errors.New("the picture does not show what the chapter teaches")

// trace is the trace command.
func (r *runner) trace(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("trace", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	tags := fs.String("tags", "", "")
	svgFile := fs.String("svg", "", "")
	out := fs.String("o", "", "")
	read := fs.String("read", "", "")
	width := fs.Int("width", 100, "")
	check := fs.Bool("check", false, "")
	// Flags may come before or after the chapter: "trace 02 -tags exercise"
	// is what a learner types as often as "trace -tags exercise 02".
	var chapters []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				err = nil
			}
			return usageError{err}
		}
		if fs.NArg() == 0 {
			break
		}
		chapters = append(chapters, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(chapters) != 1 {
		return usageError{fmt.Errorf("name one chapter, 01 to 05; got %q", chapters)}
	}
	if builtWithExercise && *tags == "" {
		return usageError{errors.New("go run -tags exercise ./workshop builds the runner with the tag, not the " +
			"chapter: write go run ./workshop trace -tags exercise " + chapters[0])}
	}
	name := strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(chapters[0]), "./"), "/")
	if _, ok := scenes[name]; !ok {
		name, _, _ = strings.Cut(name, "-")
	}
	sc, ok := scenes[name]
	if !ok {
		return usageError{fmt.Errorf("no chapter %q; there are 01 to 05, and 04-io", chapters[0])}
	}
	if sc.variant && *tags != "" {
		return usageError{fmt.Errorf("%s plays a variant of the solution: it takes no -tags", name)}
	}

	file := *read
	if file == "" {
		file = *out
		if file == "" {
			file = filepath.Join(r.stateDir, sc.dir+".trace")
		}
		os.Remove(file)
		if err := r.runTrace(ctx, sc, *tags, file); err != nil {
			// A failed test may still have left a trace of the scenario
			// worth drawing, above the failure.
			tl, rerr := readTimelineFile(file)
			if rerr != nil {
				return err
			}
			r.drawTrace(name, sc, tl, *tags, *width)
			return err
		}
	}
	tl, err := readTimelineFile(file)
	if err != nil {
		return err
	}
	claim, held := r.drawTrace(name, sc, tl, *tags, *width)
	title := sc.title
	if *tags != "" {
		title += " (-tags " + *tags + ")"
	}

	if *svgFile != "" {
		var buf bytes.Buffer
		drawSVG(&buf, tl, title, sc.story, claim)
		if err := checkXML(buf.Bytes()); err != nil {
			return fmt.Errorf("the SVG drawn is not well-formed XML: %w", err)
		}
		if err := os.WriteFile(*svgFile, buf.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(r.out, "\nThe picture is in %s.\n", *svgFile)
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, file); err == nil && !strings.HasPrefix(rel, "..") {
			file = rel
		}
	}
	fmt.Fprintf(r.out, "\nThe trace is in %s. To explore it in a browser:\n    go tool trace %s\n", file, file)
	if *check && !held {
		return errClaim
	}
	return nil
}

// readTimelineFile reads the timeline of the trace in file.
func readTimelineFile(file string) (*timeline, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tl, err := readTimeline(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return tl, nil
}

// drawTrace writes the timeline in text, what each client saw, and the
// chapter's claim with a ✓ if the run bears it out; it returns the claim.
func (r *runner) drawTrace(name string, sc scene, tl *timeline, tags string, width int) (claim string, held bool) {
	title := sc.title
	if tags != "" {
		title += " (-tags " + tags + ")"
	}
	fmt.Fprintln(r.out, title)
	for _, line := range wrap(sc.story, width-1) {
		fmt.Fprintln(r.out, line)
	}
	fmt.Fprintln(r.out)
	drawText(r.out, tl, width, r.colour)
	fmt.Fprintf(r.out, "\n%s\n\n", legend)
	for _, c := range tl.clients {
		for _, line := range c.summary() {
			fmt.Fprintln(r.out, line)
		}
	}
	claim, held = claims[name](tl)
	mark := "✓"
	if !held {
		mark = "✗"
	}
	fmt.Fprintf(r.out, "\n%s %s\n", mark, claim)
	return claim, held
}

// runTrace runs the chapter's TestTrace under go test -trace file.
func (r *runner) runTrace(ctx context.Context, sc scene, tags, file string) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	args := []string{"test", "-count=1", "-run", "^" + sc.test + "$", "-trace", abs}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	args = append(args, "./"+sc.dir)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = r.root
	output, err := cmd.CombinedOutput()
	if err != nil {
		why := "the scenario's test failed"
		if bytes.Contains(output, []byte("\npanic: ")) || bytes.HasPrefix(output, []byte("panic: ")) {
			why = "the server crashed: a panic in one goroutine ended the whole process"
		}
		return fmt.Errorf("%s (go %s):\n%s", why, strings.Join(args, " "), output)
	}
	if bytes.Contains(output, []byte("no tests to run")) {
		return fmt.Errorf("%s has no %s to run", sc.dir, sc.test)
	}
	return nil
}

// summary says what the client asked and when it was answered.
func (c *client) summary() []string {
	var lines []string
	if len(c.requests) == 0 && c.closed {
		lines = append(lines, fmt.Sprintf("client %s sent nothing and was closed by the server at %s", c.name, ms(c.hungUp)))
	}
	for _, req := range c.requests {
		if req.answered < 0 {
			lines = append(lines, fmt.Sprintf("client %s sent %s at %s and got no reply: %s", c.name, shorten(req.what, 24), ms(req.sent), strings.TrimPrefix(req.reply, "no reply ")))
			continue
		}
		lines = append(lines, fmt.Sprintf("client %s sent %s at %s and waited %s for its reply, %s",
			c.name, shorten(req.what, 24), ms(req.sent), ms(req.answered-req.sent), shorten(req.reply, 30)))
	}
	return lines
}

func shorten(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// checkXML says whether b is well-formed XML.
func checkXML(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
