package miniredistest_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordingTB stands in for a test so that a helper's failure or skip can
// be observed instead of ending the real test. Fatalf and Skipf end the
// goroutine they run on, as testing.T's do, so the helper must run in
// runFailing.
type recordingTB struct {
	testing.TB

	mu      sync.Mutex
	failed  []string
	skipped []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = append(r.failed, fmt.Sprintf(format, args...))
}

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func (r *recordingTB) Skipf(format string, args ...any) {
	r.mu.Lock()
	r.skipped = append(r.skipped, fmt.Sprintf(format, args...))
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recordingTB) failures() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.failed...)
}

func (r *recordingTB) skips() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.skipped...)
}

// runFailing runs f on a goroutine of its own, where a Fatalf may end it,
// and waits for it.
func runFailing(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

// replyOnce serves one connection at a time: it reads one byte, answers
// "+OK\r\n" and closes.
func replyOnce(ln net.Listener) error {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return err
		}
		var b [1]byte
		if _, err := conn.Read(b[:]); err == nil {
			io.WriteString(conn, "+OK\r\n")
		}
		conn.Close()
	}
}

func TestCommand(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"GET a is an array of two bulk strings", []string{"get", "a"}, "*2\r\n$3\r\nget\r\n$1\r\na\r\n"},
		{"no arguments is an empty array", nil, "*0\r\n"},
		{"an empty argument has length zero", []string{""}, "*1\r\n$0\r\n\r\n"},
		{"lengths count bytes, not runes", []string{"é"}, "*1\r\n$2\r\né\r\n"},
		{"CRLF inside an argument is sent as it is", []string{"a\r\nb"}, "*1\r\n$4\r\na\r\nb\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, miniredistest.Command(tt.args...))
		})
	}
}

func TestServe(t *testing.T) {
	t.Run("the cleanup closes the listener and waits for serve to return", func(t *testing.T) {
		returned := make(chan struct{})
		t.Run("inner", func(t *testing.T) {
			addr := miniredistest.Serve(t, func(ln net.Listener) error {
				defer close(returned)
				return replyOnce(ln)
			})
			c := miniredistest.Dial(t, addr)
			c.Send("x")
			c.Expect("+OK\r\n")
		})
		select {
		case <-returned:
		default:
			t.Fatal("serve was still running after the test that started it ended")
		}
	})

	t.Run("an error from serve other than net.ErrClosed fails the test", func(t *testing.T) {
		rec := &recordingTB{}
		t.Run("inner", func(t *testing.T) {
			rec.TB = t
			miniredistest.Serve(rec, func(ln net.Listener) error {
				// Accept fails once the test ends and closes the listener.
				ln.Accept()
				return errors.New("boom")
			})
		})
		require.Len(t, rec.failures(), 1)
		assert.Contains(t, rec.failures()[0], "boom")
	})

	t.Run("a serve that calls Accept again after it failed is ended and told why", func(t *testing.T) {
		rec := &recordingTB{}
		accepts := make(chan error, 3)
		t.Run("inner", func(t *testing.T) {
			rec.TB = t
			miniredistest.Serve(rec, func(ln net.Listener) error {
				// The mistake: an accept loop that goes on after an error,
				// which spins once the listener is closed.
				for {
					_, err := ln.Accept()
					accepts <- err
				}
			})
		})
		require.Len(t, rec.failures(), 1)
		assert.Equal(t, "serve called Accept again after Accept had failed (accept tcp "+
			"127.0.0.1:0: use of closed network connection): when Accept returns an error, "+
			"return it from serve instead of going round the loop again",
			regexp.MustCompile(`127\.0\.0\.1:\d+`).ReplaceAllString(rec.failures()[0], "127.0.0.1:0"))
		assert.Len(t, accepts, 1, "the second Accept never returned: it ended serve's goroutine")
	})

	t.Run("a serve that returns while the test runs fails it at once, and its clients are let go", func(t *testing.T) {
		rec := &recordingTB{}
		t.Run("inner", func(t *testing.T) {
			rec.TB = t
			returned := make(chan struct{})
			addr := miniredistest.Serve(rec, func(net.Listener) error {
				defer close(returned)
				return nil
			})
			miniredistest.Receive(t, returned)
			// The listener is closed, so a client is refused rather than
			// left waiting in the accept queue.
			_, err := net.DialTimeout("tcp", addr, miniredistest.Timeout)
			assert.Error(t, err)
		})
		require.Len(t, rec.failures(), 1)
		assert.Contains(t, rec.failures()[0], "serve returned (with <nil>) while the listener was still open")
	})
}

func TestConn(t *testing.T) {
	addr := miniredistest.Serve(t, replyOnce)

	t.Run("silence, then the exact reply, then the close are all seen", func(t *testing.T) {
		c := miniredistest.Dial(t, addr)
		assert.NotNil(t, c.NetConn())
		// The server says nothing until it is sent a byte. Proving that
		// nothing arrives needs a wait; 50ms keeps the test quick.
		c.ExpectSilence(50 * time.Millisecond)
		c.Send("x")
		c.Expect("+OK\r\n")
		c.ExpectClosed()
	})

	t.Run("Expect fails on different bytes", func(t *testing.T) {
		rec := &recordingTB{TB: t}
		c := miniredistest.Dial(rec, addr)
		c.Send("x")
		runFailing(func() { c.Expect("+NO\r\n") })
		require.Len(t, rec.failures(), 1)
		assert.Contains(t, rec.failures()[0], `got "+OK\r\n"`)
	})

	t.Run("Expect fails when the connection closes first", func(t *testing.T) {
		rec := &recordingTB{TB: t}
		c := miniredistest.Dial(rec, addr)
		c.Send("x")
		runFailing(func() { c.Expect("+OK\r\nmore") })
		require.Len(t, rec.failures(), 1)
		assert.Contains(t, rec.failures()[0], `got "+OK\r\n" and then the server closed the connection`)
	})

	t.Run("a reason given to Expect leads its failure message", func(t *testing.T) {
		rec := &recordingTB{TB: t}
		c := miniredistest.Dial(rec, addr)
		c.Send("x")
		runFailing(func() { c.Expect("+NO\r\n", "the server must say no") })
		require.Len(t, rec.failures(), 1)
		assert.True(t, strings.HasPrefix(rec.failures()[0], "the server must say no\n"), rec.failures()[0])
	})

	t.Run("ExpectSoon gives up after Soon, and says how long it waited", func(t *testing.T) {
		rec := &recordingTB{TB: t}
		c := miniredistest.Dial(rec, addr)
		runFailing(func() { c.ExpectSoon("+OK\r\n", "no byte was sent, so no reply comes") })
		require.Len(t, rec.failures(), 1)
		assert.Contains(t, rec.failures()[0], "and then nothing for "+miniredistest.Soon.String())
	})

	t.Run("ExpectClosed fails when bytes arrive", func(t *testing.T) {
		rec := &recordingTB{TB: t}
		c := miniredistest.Dial(rec, addr)
		c.Send("x")
		runFailing(func() { c.ExpectClosed() })
		require.Len(t, rec.failures(), 1)
		assert.Contains(t, rec.failures()[0], "want the connection closed")
	})

	t.Run("ExpectSoonOr gives the reason for a close when the server closes first", func(t *testing.T) {
		rec := &recordingTB{TB: t}
		c := miniredistest.Dial(rec, addr)
		c.Send("x")
		runFailing(func() { c.ExpectSoonOr("+OK\r\nmore", "it was silent", "it closed") })
		require.Len(t, rec.failures(), 1)
		assert.True(t, strings.HasPrefix(rec.failures()[0], "it closed\n"), rec.failures()[0])
	})

	// The two waits below run side by side: each waits out its bound.
	t.Run("ExpectSoonOr gives the reason for silence when nothing comes", func(t *testing.T) {
		t.Parallel()
		rec := &recordingTB{TB: t}
		c := miniredistest.Dial(rec, addr)
		runFailing(func() { c.ExpectSoonOr("+OK\r\n", "it was silent", "it closed") })
		require.Len(t, rec.failures(), 1)
		assert.True(t, strings.HasPrefix(rec.failures()[0], "it was silent\n"), rec.failures()[0])
	})

	t.Run("ExpectClosed says so when the connection stays open", func(t *testing.T) {
		t.Parallel()
		rec := &recordingTB{TB: t}
		server, client := net.Pipe()
		t.Cleanup(func() { server.Close() })
		c := miniredistest.NewConn(rec, client)
		runFailing(func() { c.ExpectClosed("close it") })
		require.Len(t, rec.failures(), 1)
		assert.Equal(t, "close it\n\twant the connection closed; it was still open after "+miniredistest.Timeout.String(), rec.failures()[0])
	})

	t.Run("ExpectSilence fails when bytes arrive", func(t *testing.T) {
		rec := &recordingTB{TB: t}
		c := miniredistest.Dial(rec, addr)
		c.Send("x")
		runFailing(func() { c.ExpectSilence(miniredistest.Timeout) })
		require.Len(t, rec.failures(), 1)
		assert.Contains(t, rec.failures()[0], "want no reply")
	})
}

func TestNewConn(t *testing.T) {
	t.Run("over net.Pipe, silence, then the exact reply, then the close are all seen", func(t *testing.T) {
		client, server := net.Pipe()
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer server.Close()
			var b [1]byte
			if _, err := server.Read(b[:]); err == nil {
				io.WriteString(server, "+OK\r\n")
			}
		}()
		c := miniredistest.NewConn(t, client)
		assert.Same(t, client, c.NetConn())
		// A pipe's read deadline ends the read with os.ErrDeadlineExceeded,
		// as a TCP connection's does, which is what ExpectSilence checks.
		c.ExpectSilence(50 * time.Millisecond)
		c.Send("x")
		c.Expect("+OK\r\n")
		c.ExpectClosed()
		miniredistest.Receive(t, done)
	})

	t.Run("the connection is closed when the test ends", func(t *testing.T) {
		client, server := net.Pipe()
		t.Cleanup(func() { server.Close() })
		t.Run("inner", func(t *testing.T) {
			miniredistest.NewConn(t, client)
		})
		server.SetReadDeadline(time.Now().Add(miniredistest.Timeout))
		_, err := server.Read(make([]byte, 1))
		assert.ErrorIs(t, err, io.EOF)
	})
}

func TestReceive(t *testing.T) {
	t.Run("the value sent is returned", func(t *testing.T) {
		ch := make(chan int, 1)
		ch <- 42
		assert.Equal(t, 42, miniredistest.Receive(t, ch))
	})

	t.Run("a closed channel gives its zero value at once", func(t *testing.T) {
		done := make(chan struct{})
		close(done)
		assert.Equal(t, struct{}{}, miniredistest.Receive(t, done))
	})

	t.Run("nothing received within Timeout fails the test", func(t *testing.T) {
		// In a synctest bubble the clock jumps ahead whenever every
		// goroutine in it is blocked, so the wait costs no real time.
		synctest.Test(t, func(t *testing.T) {
			rec := &recordingTB{TB: t}
			never := make(chan int)
			runFailing(func() { miniredistest.Receive(rec, never) })
			require.Len(t, rec.failures(), 1)
			assert.Equal(t, fmt.Sprintf("nothing received within %v", miniredistest.Timeout), rec.failures()[0])
		})
	})
}

// These tests replace the process-wide logger, so they must not run in
// parallel with anything.
func TestCaptureLog(t *testing.T) {
	t.Run("records from slog and from the log package are captured, from Debug up", func(t *testing.T) {
		logs := miniredistest.CaptureLog(t)
		slog.Debug("debug", "n", 1)
		log.Print("from the log package")
		slog.Warn("warn")

		assert.Equal(t, []string{"debug", "from the log package", "warn"}, logs.Messages(t))
		records := logs.Records(t)
		require.Len(t, records, 3)
		assert.Equal(t, "DEBUG", records[0]["level"])
		assert.Equal(t, 1.0, records[0]["n"], "JSON numbers decode as float64")
		assert.Equal(t, "INFO", records[1]["level"])
		assert.Equal(t, "WARN", records[2]["level"])
	})

	t.Run("slog's default logger and the log package are restored when the test ends", func(t *testing.T) {
		prev, prevOut, prevFlags := slog.Default(), log.Writer(), log.Flags()
		t.Run("inner", func(t *testing.T) {
			miniredistest.CaptureLog(t)
			require.NotSame(t, prev, slog.Default())
		})
		assert.Same(t, prev, slog.Default())
		assert.Equal(t, prevOut, log.Writer())
		assert.Equal(t, prevFlags, log.Flags())
	})
}

func TestLog(t *testing.T) {
	t.Run("an empty log has no lines and no records", func(t *testing.T) {
		var l miniredistest.Log
		assert.Empty(t, l.String())
		assert.Empty(t, l.Lines())
		assert.Empty(t, l.Records(t))
	})

	t.Run("Lines, Records and Messages read what many goroutines wrote at once", func(t *testing.T) {
		const n = 100
		var l miniredistest.Log
		var wg sync.WaitGroup
		for i := range n {
			// A handler of its own for each goroutine, so that nothing but
			// the Log orders their writes.
			logger := slog.New(slog.NewJSONHandler(&l, nil))
			wg.Go(func() { logger.Info("hello", "i", i) })
		}
		wg.Wait()

		assert.Len(t, l.Lines(), n)
		seen := map[float64]bool{}
		for _, r := range l.Records(t) {
			assert.Equal(t, "hello", r["msg"])
			seen[r["i"].(float64)] = true
		}
		assert.Len(t, seen, n, "every goroutine's record is whole")
		assert.Equal(t, slices.Repeat([]string{"hello"}, n), l.Messages(t))
	})

	t.Run("Lines splits a text handler's output into its records", func(t *testing.T) {
		var l miniredistest.Log
		logger := slog.New(slog.NewTextHandler(&l, &slog.HandlerOptions{
			// Without the time the lines are the same on every run.
			ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey {
					return slog.Attr{}
				}
				return a
			},
		}))
		logger.Info("one", "k", "v")
		logger.Warn("two")
		assert.Equal(t, []string{"level=INFO msg=one k=v", "level=WARN msg=two"}, l.Lines())
	})

	t.Run("Records fails the test on a line that is not JSON", func(t *testing.T) {
		var l miniredistest.Log
		io.WriteString(&l, "level=INFO msg=text\n")
		rec := &recordingTB{TB: t}
		runFailing(func() { l.Records(rec) })
		require.Len(t, rec.failures(), 1)
		assert.Contains(t, rec.failures()[0], `log line "level=INFO msg=text" is not a JSON record`)
	})

	t.Run("Messages fails the test on a record without a message", func(t *testing.T) {
		var l miniredistest.Log
		io.WriteString(&l, `{"level":"INFO"}`+"\n")
		rec := &recordingTB{TB: t}
		runFailing(func() { l.Messages(rec) })
		require.Len(t, rec.failures(), 1)
		assert.Contains(t, rec.failures()[0], "has no message")
	})
}

func TestRedisTool(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in tool is a shell script")
	}
	// PATH holds one stand-in tool and nothing else.
	dir := t.TempDir()
	tool := filepath.Join(dir, "redis-standin")
	require.NoError(t, os.WriteFile(tool, []byte("#!/bin/sh\n"), 0o755))
	require.NoError(t, os.Chmod(tool, 0o755))
	t.Setenv("PATH", dir)
	t.Setenv("REQUIRE_REDIS_TOOLS", "")

	t.Run("a tool on PATH is found", func(t *testing.T) {
		assert.Equal(t, tool, miniredistest.RedisTool(t, "redis-standin"))
	})

	t.Run("a tool missing from PATH skips the test", func(t *testing.T) {
		rec := &recordingTB{TB: t}
		runFailing(func() { miniredistest.RedisTool(rec, "redis-missing") })
		assert.Empty(t, rec.failures())
		assert.Equal(t, []string{"redis-missing is not on PATH"}, rec.skips())
	})

	t.Run("with REQUIRE_REDIS_TOOLS=1 a tool missing from PATH fails the test", func(t *testing.T) {
		t.Setenv("REQUIRE_REDIS_TOOLS", "1")
		rec := &recordingTB{TB: t}
		runFailing(func() { miniredistest.RedisTool(rec, "redis-missing") })
		assert.Empty(t, rec.skips())
		assert.Equal(t, []string{"redis-missing is not on PATH, and REQUIRE_REDIS_TOOLS=1"}, rec.failures())
	})
}

func TestLogWaitFor(t *testing.T) {
	t.Run("returns once the records are written, by another goroutine", func(t *testing.T) {
		var l miniredistest.Log
		logger := slog.New(slog.NewJSONHandler(&l, nil))
		go func() {
			logger.Info("other")
			logger.Info("lost")
			logger.Info("lost")
		}()
		l.WaitFor(t, 2, "lost")
		assert.Equal(t, []string{"other", "lost", "lost"}, l.Messages(t))
	})
}
