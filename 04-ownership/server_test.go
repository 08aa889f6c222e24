package main

import (
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"example.com/spawning/miniredis"
	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/require"
)

// start runs the chapter's server on a free loopback port until the test
// ends, and returns its address.
func start(t *testing.T) string {
	t.Helper()
	return miniredistest.Serve(t, func(ln net.Listener) error {
		return newServer(miniredistest.Timeout).serve(t.Context(), ln)
	})
}

var get = miniredistest.Command("get", "hello")

func TestSharedCount(t *testing.T) {
	t.Run("the handler runs in the connection's own goroutine", func(t *testing.T) {
		miniredistest.NoGoInGoroutine(t, (*server).serve)
	})

	t.Run("a second client is answered while the first stays silent", func(t *testing.T) {
		// The handler says when a connection's goroutine reaches it, so the
		// test knows that A's goroutine is past the count, holding whatever
		// lock it holds there, before B connects.
		s := newServer(miniredistest.Timeout)
		reached := make(chan int, 2)
		s.handler = func(c *miniredis.Connection, client int) {
			reached <- client
			process(c, client)
		}
		addr := miniredistest.Serve(t, func(ln net.Listener) error { return s.serve(t.Context(), ln) })

		a := miniredistest.Dial(t, addr)
		miniredistest.Receive(t, reached)
		b := miniredistest.Dial(t, addr)
		b.Send(get)
		b.ExpectSoon("-unimplemented\r\n", "client B was not answered while client A stayed connected:",
			"is a lock held while A's goroutine waits for A to speak? Hold a lock only while the shared value changes")

		a.Send(get)
		a.Expect("-unimplemented\r\n")
		explainRace(t)
	})

	t.Run("a second client is answered while the first one's reply is stuck on its way out", func(t *testing.T) {
		// A's reply cannot leave until the test lets it: A's goroutine
		// sits in a write, holding whatever lock it holds there, while B
		// asks.
		s := newServer(miniredistest.Timeout)
		writing := make(chan struct{})
		release := make(chan struct{})
		releaseOnce := sync.OnceFunc(func() { close(release) })
		t.Cleanup(releaseOnce)
		addr := miniredistest.Serve(t, func(ln net.Listener) error {
			return s.serve(t.Context(), &stallFirstWrite{Listener: ln, writing: writing, release: release})
		})

		a := miniredistest.Dial(t, addr)
		a.Send(get)
		miniredistest.Receive(t, writing)
		b := miniredistest.Dial(t, addr)
		b.Send(get)
		b.ExpectSoonOr("-unimplemented\r\n",
			"client B was not answered while client A's reply was on its way out: is a lock held across "+
				"WriteFrame? A slow client then holds up every other; hold a lock only while the shared value changes",
			"client B's connection was closed before it was answered")

		releaseOnce()
		a.Expect("-unimplemented\r\n")
		explainRace(t)
	})

	t.Run("every client gets a number of its own, counted without a data race", func(t *testing.T) {
		logs := miniredistest.CaptureLog(t)
		addr := start(t)

		// Many clients at once, so that many goroutines change the count
		// together. Under go test -race, a count changed without a lock is
		// reported as a data race and fails the test.
		const n = 50
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { errs[i] = getOnce(addr) })
		}
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err, "client %d", i)
		}

		// process logs each request before it answers, so every line is in.
		var numbers []int
		for _, r := range logs.Records(t) {
			if r["msg"] == "got" {
				client, ok := r["client"].(float64)
				require.True(t, ok, "the got line has the client's number: %v", r)
				numbers = append(numbers, int(client))
			}
		}
		slices.Sort(numbers)
		want := make([]int, n)
		for i := range want {
			want[i] = i + 1
		}
		require.Equal(t, want, numbers, "the clients are numbered 1 to %d, each number once", n)
		explainRace(t)
	})
}

// explainRace says what a data race means, if the race detector found one
// while the test ran. Call it once the test has checked everything else:
// by then a race is the only way the test can have failed.
func explainRace(t *testing.T) {
	t.Helper()
	if t.Failed() {
		t.Error("the race detector saw two goroutines use one variable at once (see its report, with the " +
			"lines of your code): a value that every connection changes, such as s.served, must be changed and " +
			"read only while holding s.mu with Lock (RLock lets other holders in), or be an atomic.Int64")
	}
}

// getOnce sends one GET on a connection of its own and checks the reply.
// It does not touch t, so that many goroutines can run it at once.
func getOnce(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, miniredistest.Timeout)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(miniredistest.Timeout))
	if _, err := conn.Write([]byte(get)); err != nil {
		return err
	}
	reply := make([]byte, len("-unimplemented\r\n"))
	_, err = io.ReadFull(conn, reply)
	if err == nil && string(reply) != "-unimplemented\r\n" {
		err = fmt.Errorf("got %q", reply)
	}
	return err
}

// stallFirstWrite hands out the first connection it accepts with a Write
// that signals writing and then waits for release, as a client that reads
// nothing would make it wait once the kernel's buffers are full.
type stallFirstWrite struct {
	net.Listener
	writing chan<- struct{}
	release <-chan struct{}
	once    sync.Once
}

func (l *stallFirstWrite) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	first := false
	l.once.Do(func() { first = true })
	if !first {
		return conn, nil
	}
	return &stalledConn{Conn: conn, writing: l.writing, release: l.release}, nil
}

type stalledConn struct {
	net.Conn
	writing chan<- struct{}
	release <-chan struct{}
	once    sync.Once
}

func (c *stalledConn) Write(p []byte) (int, error) {
	c.once.Do(func() {
		close(c.writing)
		<-c.release
	})
	return c.Conn.Write(p)
}
