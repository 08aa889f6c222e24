package main

import (
	"context"
	"errors"
	"io"
	"net"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"example.com/spawning/miniredis"
	"example.com/spawning/miniredis/miniredistest"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// start runs the chapter's server on a free loopback port until the test
// ends, and returns its address.
func start(t testing.TB) string {
	t.Helper()
	return miniredistest.Serve(t, func(ln net.Listener) error {
		return newServer(miniredistest.Timeout).serve(t.Context(), ln)
	})
}

// startCancellable runs s on a free loopback port until the test ends or
// cancel is called, as Ctrl-C would, and returns its address, cancel, and
// the channel that receives what serve returned.
func startCancellable(t testing.TB, s *server) (addr string, cancel context.CancelFunc, returned <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	addr = miniredistest.Serve(t, func(ln net.Listener) error {
		err := s.serve(ctx, ln)
		served <- err
		return err
	})
	return addr, cancel, served
}

// newClient returns a go-redis client with its default options, as an
// application would make one, closed when the test ends.
func newClient(t testing.TB, addr string) *redis.Client {
	t.Helper()
	client := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { client.Close() })
	return client
}

func TestGoRedis(t *testing.T) {
	needProcess(t)
	addr := start(t)
	client := newClient(t, addr)
	ctx := t.Context()

	t.Run("SET then GET returns the value", func(t *testing.T) {
		require.NoError(t, client.Set(ctx, "hello", "world", 0).Err())
		got, err := client.Get(ctx, "hello").Result()
		require.NoError(t, err)
		assert.Equal(t, "world", got)
	})

	t.Run("GET of a key never set is redis.Nil", func(t *testing.T) {
		err := client.Get(ctx, "missing").Err()
		assert.ErrorIs(t, err, redis.Nil)
	})

	t.Run("an empty value is a value, not redis.Nil", func(t *testing.T) {
		require.NoError(t, client.Set(ctx, "empty", "", 0).Err())
		got, err := client.Get(ctx, "empty").Result()
		require.NoError(t, err)
		assert.Equal(t, "", got)
	})

	t.Run("values are binary-safe: CR, LF and NUL bytes round-trip", func(t *testing.T) {
		value := []byte("a\r\nb\x00c\r\n")
		require.NoError(t, client.Set(ctx, "binary", value, 0).Err())
		got, err := client.Get(ctx, "binary").Bytes()
		require.NoError(t, err)
		assert.Equal(t, value, got)
	})

	t.Run("a pipeline of 1,000 commands is answered in order", func(t *testing.T) {
		// Every SET overwrites the same key, so each GET can only see the
		// value of the SET just before it if the replies come back in
		// the order the commands were sent.
		pipe := client.Pipeline()
		sets := make([]*redis.StatusCmd, 500)
		gets := make([]*redis.StringCmd, 500)
		for i := range 500 {
			sets[i] = pipe.Set(ctx, "counter", i, 0)
			gets[i] = pipe.Get(ctx, "counter")
		}
		cmds, err := pipe.Exec(ctx)
		require.NoError(t, err)
		require.Len(t, cmds, 1000)
		for i := range 500 {
			assert.Equal(t, "OK", sets[i].Val(), "reply to SET number %d", i)
			assert.Equal(t, strconv.Itoa(i), gets[i].Val(), "reply to GET number %d", i)
		}
	})

	t.Run("an unknown command is an error and the client goes on", func(t *testing.T) {
		err := client.Do(ctx, "foo", "bar").Err()
		require.Error(t, err)
		assert.Equal(t, "ERR unknown command 'foo', with args beginning with: 'bar' ", err.Error())
		assert.NoError(t, client.Set(ctx, "after", "1", 0).Err())
	})
}

func TestGoRedisHandshake(t *testing.T) {
	needProcess(t)
	t.Run("HELLO 3 and CLIENT SETINFO get Redis 7's unknown-command error and the connection serves SET after them", func(t *testing.T) {
		addr := start(t)
		c := miniredistest.Dial(t, addr)

		// These are the bytes go-redis v9.22.0 sends on every new
		// connection, before the command it was asked to run.
		c.Send(miniredistest.Command("hello", "3"))
		c.Expect("-ERR unknown command 'hello', with args beginning with: '3' \r\n")
		c.Send(miniredistest.Command("client", "setinfo", "LIB-NAME", "go-redis(,go1.25.0)") +
			miniredistest.Command("client", "setinfo", "LIB-VER", "9.22.0"))
		c.Expect("-ERR unknown command 'client', with args beginning with: 'setinfo' 'LIB-NAME' 'go-redis(,go1.25.0)' \r\n" +
			"-ERR unknown command 'client', with args beginning with: 'setinfo' 'LIB-VER' '9.22.0' \r\n")

		c.Send(miniredistest.Command("set", "hello", "world"))
		c.Expect("+OK\r\n")
	})
}

func TestStateIsPerConnection(t *testing.T) {
	needProcess(t)
	addr := start(t)
	ctx := t.Context()

	t.Run("a value SET on one connection is not visible from another", func(t *testing.T) {
		// Two clients cannot share a connection. Shared state is the next
		// chapter.
		a, b := newClient(t, addr), newClient(t, addr)
		require.NoError(t, a.Set(ctx, "hello", "world", 0).Err())

		got, err := a.Get(ctx, "hello").Result()
		require.NoError(t, err)
		assert.Equal(t, "world", got, "the connection that set it sees it")
		assert.ErrorIs(t, b.Get(ctx, "hello").Err(), redis.Nil, "another connection does not")
	})
}

// TestWire checks the exact bytes of the replies, which a client library
// would hide.
func TestWire(t *testing.T) {
	needProcess(t)
	addr := start(t)
	cmd := miniredistest.Command

	t.Run("a client that shuts its side after a request gets the reply, then the server closes", func(t *testing.T) {
		c := miniredistest.Dial(t, addr)
		c.Send(cmd("ping"))
		require.NoError(t, c.NetConn().(*net.TCPConn).CloseWrite())
		c.Expect("+PONG\r\n")
		c.ExpectClosedOr("the server did not close the connection after the client shut its side: once ReadFrame "+
			"fails, return from process",
			"the server went on answering after ReadFrame failed: return from process when it fails; a break "+
				"inside a switch leaves the switch, not the loop")
	})

	t.Run("an unknown command gets Redis's error and the connection stays open", func(t *testing.T) {
		c := miniredistest.Dial(t, addr)
		c.Send(cmd("foo", "bar"))
		c.Expect("-ERR unknown command 'foo', with args beginning with: 'bar' \r\n")
		c.Send(cmd("set", "a", "1") + cmd("get", "a"))
		c.Expect("+OK\r\n$1\r\n1\r\n")
	})

	t.Run("a wrong number of arguments gets Redis's error and the connection stays open", func(t *testing.T) {
		c := miniredistest.Dial(t, addr)
		c.Send(cmd("get"))
		c.Expect("-ERR wrong number of arguments for 'get' command\r\n")
		c.Send(cmd("set", "a"))
		c.Expect("-ERR wrong number of arguments for 'set' command\r\n")
		c.Send(cmd("set", "a", "1") + cmd("get", "a"))
		c.Expect("+OK\r\n$1\r\n1\r\n")
	})

	t.Run("a request that breaks the protocol gets Redis's error and only that connection is closed", func(t *testing.T) {
		bad, good := miniredistest.Dial(t, addr), miniredistest.Dial(t, addr)
		bad.Send("*1\r\n$x\r\n")
		bad.Expect("-ERR Protocol error: invalid bulk length\r\n")
		bad.ExpectClosed()
		good.Send(cmd("set", "a", "1"))
		good.Expect("+OK\r\n")
	})

	t.Run("GET of a missing key is a null bulk string", func(t *testing.T) {
		c := miniredistest.Dial(t, addr)
		c.Send(cmd("get", "missing"))
		c.Expect("$-1\r\n")
	})

	t.Run("a value with CR, LF and NUL bytes comes back byte for byte", func(t *testing.T) {
		c := miniredistest.Dial(t, addr)
		c.Send(cmd("set", "k", "\r\n\x00x"))
		c.Expect("+OK\r\n")
		c.Send(cmd("get", "k"))
		c.Expect("$4\r\n\r\n\x00x\r\n")
	})

	t.Run("an empty value is a bulk string of length 0, not null", func(t *testing.T) {
		c := miniredistest.Dial(t, addr)
		c.Send(cmd("set", "k", ""))
		c.Expect("+OK\r\n")
		c.Send(cmd("get", "k"))
		c.Expect("$0\r\n\r\n")
	})

	t.Run("a stored value keeps its bytes while later requests arrive", func(t *testing.T) {
		// process keeps the []byte it was handed; this proves the bytes
		// are its own and not a view of the read buffer, which the next
		// requests overwrite.
		c := miniredistest.Dial(t, addr)
		c.Send("SET inline aaaa\r\n" + cmd("set", "bulk", "bbbb"))
		c.Expect("+OK\r\n+OK\r\n")
		c.Send("SET other xxxx\r\n" + cmd("set", "other", "yyyy") + cmd("get", "inline") + cmd("get", "bulk"))
		c.Expect("+OK\r\n+OK\r\n$4\r\naaaa\r\n$4\r\nbbbb\r\n")
	})

	t.Run("inline commands typed as in nc are understood", func(t *testing.T) {
		c := miniredistest.Dial(t, addr)
		c.Send("SET hello world\r\nGET hello\r\n")
		c.Expect("+OK\r\n$5\r\nworld\r\n")
	})

	t.Run("requests pipelined in one write are all answered in order", func(t *testing.T) {
		var requests, replies strings.Builder
		for i := range 100 {
			v := strconv.Itoa(i)
			requests.WriteString(cmd("set", "k", v) + cmd("get", "k"))
			replies.WriteString("+OK\r\n$" + strconv.Itoa(len(v)) + "\r\n" + v + "\r\n")
		}
		c := miniredistest.Dial(t, addr)
		c.Send(requests.String())
		c.Expect(replies.String())
	})
}

// runTool runs a tool against addr with stdin as its input, and returns
// what it printed. It fails the test if the tool fails or runs for longer
// than miniredistest.Timeout.
func runTool(t *testing.T, path, addr, stdin string, args ...string) string {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), miniredistest.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, append([]string{"-h", host, "-p", port}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		t.Fatalf("%s %s: %v\n%s%s", path, strings.Join(args, " "), err, out, exit.Stderr)
	}
	require.NoError(t, err)
	return string(out)
}

func TestRedisCLI(t *testing.T) {
	needProcess(t)
	cli := miniredistest.RedisTool(t, "redis-cli")
	addr := start(t)

	t.Run("commands piped into one redis-cli share its connection, so GET sees SET", func(t *testing.T) {
		out := runTool(t, cli, addr, "SET a b\nGET a\n")
		assert.Equal(t, "OK\nb\n", out)
	})

	t.Run("each redis-cli run is a new connection, so GET does not see the last run's SET", func(t *testing.T) {
		assert.Equal(t, "OK\n", runTool(t, cli, addr, "", "SET", "a", "b"))
		// redis-cli prints a null reply as an empty line when its output
		// is not a terminal.
		assert.Equal(t, "\n", runTool(t, cli, addr, "", "GET", "a"))
	})

	t.Run("redis-cli --pipe, which ends with an ECHO, sends 10,000 SETs and exits 0", func(t *testing.T) {
		var mass strings.Builder
		for i := range 10_000 {
			mass.WriteString(miniredistest.Command("SET", "key:"+strconv.Itoa(i), "value"))
		}
		out := runTool(t, cli, addr, mass.String(), "--pipe")
		assert.Contains(t, out, "errors: 0, replies: 10000")
	})

	t.Run("ECHO answers with its message, as Redis does", func(t *testing.T) {
		assert.Equal(t, "hello world\n", runTool(t, cli, addr, "", "ECHO", "hello world"))
	})
}

func TestRedisBenchmark(t *testing.T) {
	needProcess(t)
	if testing.Short() {
		t.Skip("redis-benchmark is skipped with -short")
	}
	bench := miniredistest.RedisTool(t, "redis-benchmark")
	addr := start(t)

	t.Run("a short redis-benchmark run of SET and GET completes", func(t *testing.T) {
		out := runTool(t, bench, addr, "", "-t", "set,get", "-n", "2000", "-q")
		// With -q, redis-benchmark redraws a progress line with CR and
		// ends each test's line with LF.
		out = strings.ReplaceAll(out, "\r", "\n")
		assert.Regexp(t, regexp.MustCompile(`(?m)^SET: [0-9.]+ requests per second`), out)
		assert.Regexp(t, regexp.MustCompile(`(?m)^GET: [0-9.]+ requests per second`), out)
	})
}

func TestShutdown(t *testing.T) {
	needProcess(t)
	t.Run("cancelling the context closes idle connections and serve returns nil", func(t *testing.T) {
		addr, cancel, returned := startCancellable(t, newServer(miniredistest.Timeout))

		// One go-redis connection and one raw one, both answered once
		// and now idle, waiting for their next request. Retries are off
		// so that go-redis reports the closed connection rather than
		// dialling again.
		client := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
		t.Cleanup(func() { client.Close() })
		conn := client.Conn()
		t.Cleanup(func() { conn.Close() })
		require.NoError(t, conn.Set(t.Context(), "a", "1", 0).Err())
		raw := miniredistest.Dial(t, addr)
		raw.Send(miniredistest.Command("get", "a"))
		raw.Expect("$-1\r\n")

		cancel()
		assert.NoError(t, miniredistest.Receive(t, returned))
		// serve has returned, so every connection goroutine has closed its
		// connection: the raw client sees the close, and go-redis reads EOF.
		raw.ExpectClosed()
		// A reset counts as closed too: the GET go-redis writes to the
		// closed socket may be answered with one.
		err := conn.Get(t.Context(), "a").Err()
		assert.True(t, errors.Is(err, io.EOF) || miniredis.IsConnReset(err),
			"want the go-redis connection closed, got %v", err)
	})
}

func TestClientMistakesAreNotWarnings(t *testing.T) {
	needProcess(t)
	logs := miniredistest.CaptureLog(t)
	addr, cancel, returned := startCancellable(t, newServer(miniredistest.Timeout))

	// A request that breaks the protocol.
	bad := miniredistest.Dial(t, addr)
	bad.Send("*1\r\n$x\r\n")
	bad.Expect("-ERR Protocol error: invalid bulk length\r\n")
	bad.ExpectClosed()

	// A client that resets its connection half-way through a request:
	// with SO_LINGER 0, Close sends RST instead of FIN.
	reset := miniredistest.Dial(t, addr)
	reset.Send("*2\r\n$3\r\nget\r\n")
	require.NoError(t, reset.NetConn().(*net.TCPConn).SetLinger(0))
	reset.Close()
	logs.WaitFor(t, 2, "read failed")

	cancel()
	require.NoError(t, miniredistest.Receive(t, returned))

	var readFailures int
	for _, r := range logs.Records(t) {
		// The solution logs them at Debug, shown only with -v, as Redis
		// does; Info is no mistake of the lesson's.
		assert.Contains(t, []any{"DEBUG", "INFO"}, r["level"], "a client's mistake is not the operator's problem: %v", r)
		if r["msg"] == "read failed" {
			readFailures++
		}
	}
	assert.Equal(t, 2, readFailures, "both clients' failures are logged")
}
