package miniredistest

import (
	"bytes"
	"encoding/json"
	"log"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// Log collects what a logger writes during a test. Connection goroutines
// log while the test reads, so it is safe for concurrent use. Give it to a
// handler, as in slog.New(slog.NewJSONHandler(l, nil)), or let CaptureLog
// point slog's default logger at it.
type Log struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{} // closed, and replaced, by every Write
}

// Write appends p to the log.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.written != nil {
		close(l.written)
		l.written = nil
	}
	return l.buf.Write(p)
}

// WaitFor waits until the log holds n records with the message msg, and
// fails the test if it does not within Timeout. It is how a test waits for
// something a server does without telling its client, such as logging a
// connection it lost. A why, if given, leads the failure message.
func (l *Log) WaitFor(t testing.TB, n int, msg string, why ...string) {
	t.Helper()
	deadline := time.After(Timeout)
	for {
		l.mu.Lock()
		if l.written == nil {
			l.written = make(chan struct{})
		}
		written := l.written
		l.mu.Unlock()
		// Checked after taking the channel, so a write in between is not
		// missed: it closes the channel this wait is on.
		if count(l.Messages(t), msg) >= n {
			return
		}
		select {
		case <-written:
		case <-deadline:
			fatalf(t, "%sthe log did not hold %d records %q within %v; it holds:\n%s", reason(why), n, msg, Timeout, l.String())
		}
	}
}

func count(msgs []string, msg string) int {
	n := 0
	for _, m := range msgs {
		if m == msg {
			n++
		}
	}
	return n
}

// String returns everything written so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Lines returns the lines written so far, without their line ends.
func (l *Log) Lines() []string {
	var lines []string
	for line := range strings.Lines(l.String()) {
		lines = append(lines, strings.TrimSuffix(line, "\n"))
	}
	return lines
}

// Records decodes the lines written so far as the JSON objects that
// slog.JSONHandler writes, one record a line, and fails the test on a line
// that is not one. Reading a record's fields, rather than searching the
// text, checks a message exactly as it was logged, unquoted.
func (l *Log) Records(t testing.TB) []map[string]any {
	t.Helper()
	var records []map[string]any
	for _, line := range l.Lines() {
		var record map[string]any
		if err := json.Unmarshal([]byte(line), &record); err != nil {
			t.Fatalf("log line %q is not a JSON record: %v", line, err)
		}
		records = append(records, record)
	}
	return records
}

// Messages returns the message of every record written so far.
func (l *Log) Messages(t testing.TB) []string {
	t.Helper()
	var msgs []string
	for _, record := range l.Records(t) {
		msg, ok := record[slog.MessageKey].(string)
		if !ok {
			t.Fatalf("log record %v has no message", record)
		}
		msgs = append(msgs, msg)
	}
	return msgs
}

// CaptureLog makes slog's default logger write JSON records, from level
// Debug up, to a new Log until the test ends, and returns the Log. It
// changes the whole process's logger, so a test that uses it must not run
// in parallel with any other.
func CaptureLog(t testing.TB) *Log {
	t.Helper()
	l := &Log{}
	// slog.SetDefault also sends the log package's output to the new
	// handler, and setting the old logger back does not undo that when the
	// old one is slog's own default: restore the log package too.
	prev, prevOut, prevFlags := slog.Default(), log.Writer(), log.Flags()
	slog.SetDefault(slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() {
		slog.SetDefault(prev)
		log.SetOutput(prevOut)
		log.SetFlags(prevFlags)
	})
	return l
}
