package miniredis

import (
	"bytes"
	"io"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"

	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every reply below that has a "Redis:" note was checked byte for byte
// against redis-server 7.0.15 given the same input. The others are this
// package's own rules: Redis allows arrays up to 2^31-1 elements, and it
// skips the two bytes after bulk data without looking at them.
func TestMalformedRequestsGetRedisErrorThenClose(t *testing.T) {
	const prefix = "-ERR Protocol error: "
	// An over-long line is sent as exactly MaxInlineLen+1 bytes with no
	// line end: the server must refuse it on its last byte, without waiting
	// for more. Nothing is then left unread when the server closes, so the
	// kernel ends the connection with a FIN rather than a reset that could
	// race the reply.
	tooLong := strings.Repeat("1", MaxInlineLen+1)
	tests := []struct {
		name  string
		input string
		reply string
	}{
		{"an array length that is not a number", "*abc\r\n", "invalid multibulk length"},          // Redis: same.
		{"an array length with a space", "* 1\r\n", "invalid multibulk length"},                   // Redis: same.
		{"an array length beyond int64", "*99999999999999999999\r\n", "invalid multibulk length"}, // Redis: same.
		{"an array length above MaxArrayLen", "*" + strconv.Itoa(MaxArrayLen+1) + "\r\n", "invalid multibulk length"},
		{"an array length with a plus sign", "*+1\r\n$4\r\nPING\r\n", "invalid multibulk length"},    // Redis: same.
		{"an array length with a leading zero", "*01\r\n$4\r\nPING\r\n", "invalid multibulk length"}, // Redis: same.
		{"an array length of minus zero", "*-0\r\n", "invalid multibulk length"},                     // Redis: same.
		{"a bulk length that is not a number", "*1\r\n$abc\r\n", "invalid bulk length"},              // Redis: same.
		{"a bulk length of -1, which only replies may use", "*1\r\n$-1\r\n", "invalid bulk length"},  // Redis: same.
		{"a bulk length above 512 MiB", "*1\r\n$536870913\r\n", "invalid bulk length"},               // Redis: same.
		{"a bulk length with a plus sign", "*1\r\n$+4\r\nPING\r\n", "invalid bulk length"},           // Redis: same.
		{"a bulk length with a leading zero", "*1\r\n$04\r\nPING\r\n", "invalid bulk length"},        // Redis: same.
		{"an array element that is not a bulk string", "*1\r\nfoo\r\n", "expected '$', got 'f'"},     // Redis: same.
		{"an array element that is an array", "*1\r\n*1\r\n$4\r\nPING\r\n", "expected '$', got '*'"}, // Redis: same.
		// An error reply is one line, so CR and LF are quoted as spaces.
		{"an array element that is an empty line", "*1\r\n\r\n", "expected '$', got ' '"}, // Redis: same.
		{"bulk data not followed by CRLF", "*1\r\n$3\r\nfooXY", "expected CRLF after bulk data"},
		// Redis answers this one when its line end comes in the same read
		// as the byte over the limit, so its limit depends on how the reads
		// fall; this package refuses it however they fall.
		{"an inline request over 64 KiB", strings.Repeat("A", MaxInlineLen+1) + "\r\n", "too big inline request"},
		{"an inline request of 64 KiB and one byte with no line end", tooLong, "too big inline request"}, // Redis: same.
		{"an inline request with an open double quote", "SET \"a b\r\n", "unbalanced quotes in request"}, // Redis: same.
		{"an inline request with an open single quote", "SET 'a b\r\n", "unbalanced quotes in request"},  // Redis: same.
		{"a closing quote followed by a letter", "SET \"a\"b c\r\n", "unbalanced quotes in request"},     // Redis: same.
		{"an array length line over 64 KiB", "*" + tooLong[1:], "too big mbulk count string"},            // Redis: same.
		{"a bulk length line over 64 KiB", "*1\r\n$" + tooLong[1:], "too big bulk count string"},         // Redis: same.
	}
	addr := serveFrames(t, echo)
	for _, tt := range tests {
		t.Run(tt.name+" is answered with "+strconv.Quote(tt.reply)+" and the connection closed", func(t *testing.T) {
			client := miniredistest.Dial(t, addr)
			client.Send(tt.input)
			client.Expect(prefix + tt.reply + "\r\n")
			client.ExpectClosed()
		})
	}

	t.Run("an inline request of exactly 64 KiB and its CRLF is answered", func(t *testing.T) {
		client := miniredistest.Dial(t, addr)
		line := "GET " + strings.Repeat("k", MaxInlineLen-len("GET "))
		client.Send(line + "\r\n")
		client.Expect(miniredistest.Command("GET", line[len("GET "):]))
	})

	t.Run("the requests before a malformed one are answered first", func(t *testing.T) {
		client := miniredistest.Dial(t, addr)
		client.Send("PING\r\n*abc\r\n")
		client.Expect("*1\r\n$4\r\nPING\r\n")
		client.Expect(prefix + "invalid multibulk length\r\n")
		client.ExpectClosed()
	})
}

func TestProtocolErrorCarriesTheReason(t *testing.T) {
	server := NewConnection(newMemConn([]byte("*1\r\n$abc\r\n")))
	_, err := server.ReadFrame()
	perr := errorsAsProtocol(err)
	require.NotNil(t, perr)
	assert.Equal(t, "invalid bulk length", perr.Reason)
	assert.Equal(t, "Protocol error: invalid bulk length", err.Error())
}

func TestLengthsAreParsedAsStrictlyAsRedisDoes(t *testing.T) {
	accepted := map[string]int64{
		"0":                    0,
		"7":                    7,
		"-1":                   -1,
		"9223372036854775807":  9223372036854775807,
		"-9223372036854775808": -9223372036854775808,
	}
	for text, want := range accepted {
		t.Run(text+" is a number", func(t *testing.T) {
			client := newClientConnection(newMemConn([]byte(":" + text + "\r\n")))
			got, err := client.ReadFrame()
			require.NoError(t, err)
			assert.Equal(t, Integer(want), got)
		})
	}
	rejected := []string{"", "-", "+1", "01", "00", "-0", "-01", " 1", "1 ", "1_0", "0x1", "1e3", "9223372036854775808"}
	for _, text := range rejected {
		t.Run(strconv.Quote(text)+" is not a number", func(t *testing.T) {
			client := newClientConnection(newMemConn([]byte(":" + text + "\r\n")))
			_, err := client.ReadFrame()
			perr := errorsAsProtocol(err)
			require.NotNil(t, perr, "got %v", err)
			assert.Equal(t, "invalid integer", perr.Reason)
		})
	}
}

// allocated returns how many heap bytes f allocated. Other goroutines may
// add to the count, which only makes the checks below stricter.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestDeclaredLengthsAreNotAllocatedUpFront(t *testing.T) {
	const limit = 1 << 20

	t.Run("a client declaring a 512 MiB bulk and sending three bytes costs the server under 1 MiB", func(t *testing.T) {
		serverConn, clientConn := tcpPair(t)
		server := NewConnection(serverConn)
		_, err := io.WriteString(clientConn, "*1\r\n$536870912\r\nabc")
		require.NoError(t, err)
		require.NoError(t, clientConn.Close())

		var readErr error
		n := allocated(func() { _, readErr = server.ReadFrame() })
		assert.ErrorIs(t, readErr, io.ErrUnexpectedEOF)
		assert.Less(t, n, uint64(limit), "ReadFrame allocated %d bytes", n)
	})

	t.Run("a client declaring a million arguments and sending one costs the server under 1 MiB", func(t *testing.T) {
		serverConn, clientConn := tcpPair(t)
		server := NewConnection(serverConn)
		_, err := io.WriteString(clientConn, "*1000000\r\n$3\r\nfoo\r\n")
		require.NoError(t, err)
		require.NoError(t, clientConn.Close())

		var readErr error
		n := allocated(func() { _, readErr = server.ReadFrame() })
		assert.ErrorIs(t, readErr, io.ErrUnexpectedEOF)
		assert.Less(t, n, uint64(limit), "ReadFrame allocated %d bytes", n)
	})

	t.Run("a server declaring a 512 MiB reply and sending three bytes costs the client under 1 MiB", func(t *testing.T) {
		client := newClientConnection(newMemConn([]byte("$536870912\r\nabc")))
		var readErr error
		n := allocated(func() { _, readErr = client.ReadFrame() })
		assert.ErrorIs(t, readErr, io.ErrUnexpectedEOF)
		assert.Less(t, n, uint64(limit), "ReadFrame allocated %d bytes", n)
	})

	t.Run("a server declaring a million elements and sending one costs the client under 1 MiB", func(t *testing.T) {
		client := newClientConnection(newMemConn([]byte("*1000000\r\n:1\r\n")))
		var readErr error
		n := allocated(func() { _, readErr = client.ReadFrame() })
		assert.ErrorIs(t, readErr, io.ErrUnexpectedEOF)
		assert.Less(t, n, uint64(limit), "ReadFrame allocated %d bytes", n)
	})

	t.Run("a bulk string that does arrive in full is read whole", func(t *testing.T) {
		value := bytes.Repeat([]byte{'z'}, 1<<20+5)
		server := NewConnection(newMemConn([]byte(miniredistest.Command("set", "k", string(value)))))
		got, err := server.ReadFrame()
		require.NoError(t, err)
		assert.Equal(t, Array{Bulk("set"), Bulk("k"), Bulk(value)}, got)
	})
}

// fillReader reads as n bytes of 'x', so a test can send a large value
// without holding a copy of it.
type fillReader struct{ n int64 }

func (r *fillReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.n)]
	for i := range p {
		p[i] = 'x'
	}
	r.n -= int64(len(p))
	return len(p), nil
}

// setHeader is the start of a SET of key k whose value is size bytes.
func setHeader(size int) string {
	return "*3\r\n$3\r\nset\r\n$1\r\nk\r\n$" + strconv.Itoa(size) + "\r\n"
}

func TestALargeValueHoldsWhatHasArrived(t *testing.T) {
	// A client declares a 512 MiB value, sends part of it and stops. What
	// the server holds must follow the bytes sent: at most a quarter more,
	// plus a read buffer. Counting the bytes allocated rather than the
	// process's memory makes the check exact, the same on every run.
	const declared = MaxBulkLen
	for _, sent := range []int{20_000, 1 << 20, 10_000_000, 64 << 20} {
		t.Run(strconv.Itoa(sent)+" bytes sent", func(t *testing.T) {
			input := io.MultiReader(strings.NewReader(setHeader(declared)), &fillReader{n: int64(sent)})
			server := NewConnection(&memConn{r: input, w: io.Discard})
			var err error
			n := allocated(func() { _, err = server.ReadFrame() })
			require.ErrorIs(t, err, io.ErrUnexpectedEOF)
			bound := uint64(sent + sent/4 + 2*ReadBufferSize)
			if raceEnabled {
				// sync.Pool drops some of what is put back under the race
				// detector, so a pooled buffer may be made again.
				bound += 2 * ReadBufferSize
			}
			t.Logf("a stalled %d-byte value holds %d bytes, %.3f times what arrived", sent, n, float64(n)/float64(sent))
			assert.LessOrEqual(t, n, bound, "the server allocated %d bytes for %d that arrived", n, sent)
		})
	}
}

func TestALargeValueCostsTwiceItsSizeAtMost(t *testing.T) {
	// A value that does arrive whole is gathered in pieces, then joined:
	// the pieces and the value make twice its size for a moment, and the
	// pieces are garbage after. Redis holds a 100 MB SET in about 111 MB,
	// since it can trust the length once bytes come; this server gives up
	// that last 0.9 times for the bound above.
	const size = 100_000_000
	input := io.MultiReader(strings.NewReader(setHeader(size)), &fillReader{n: size}, strings.NewReader("\r\n"))
	server := NewConnection(&memConn{r: input, w: io.Discard})

	var f Frame
	var err error
	n := allocated(func() { f, err = server.ReadFrame() })
	require.NoError(t, err)
	req, ok := f.(Array)
	require.True(t, ok)
	require.Len(t, req, 3)
	value := req[2].(Bulk)
	assert.Len(t, value, size)
	assert.Equal(t, byte('x'), value[size-1])
	assert.Equal(t, size, cap(value), "the value's slice is exactly its size")
	t.Logf("reading a %d-byte value allocated %d bytes, %.3f times its size", size, n, float64(n)/size)
	assert.LessOrEqual(t, n, uint64(2*size+1<<20), "reading a %d-byte value allocated %d bytes", size, n)
}

// releasesDone waits for every release scheduled so far to be done.
func releasesDone(t *testing.T) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		releases.Wait()
		close(done)
	}()
	miniredistest.Receive(t, done)
}

func TestAnAbandonedValueIsHandedBack(t *testing.T) {
	// Earlier tests abandon large values too: their releases end first.
	releasesDone(t)

	sent := 2 * releaseAbove
	input := io.MultiReader(strings.NewReader(setHeader(MaxBulkLen)), &fillReader{n: int64(sent)})
	_, err := NewConnection(&memConn{r: input, w: io.Discard}).ReadFrame()
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	require.True(t, releasePending.Load(), "a release is scheduled for %d bytes", sent)
	releasesDone(t)

	// FreeOSMemory has run: the heap keeps no free memory back from the
	// operating system, so the abandoned pieces are not resident.
	sample := []metrics.Sample{{Name: "/memory/classes/heap/free:bytes"}}
	metrics.Read(sample)
	assert.Less(t, sample[0].Value.Uint64(), uint64(releaseAbove),
		"bytes the heap holds free and not handed back after the release")

	t.Run("a small value abandoned is left to the garbage collector", func(t *testing.T) {
		input := io.MultiReader(strings.NewReader(setHeader(MaxBulkLen)), &fillReader{n: 100_000})
		_, err := NewConnection(&memConn{r: input, w: io.Discard}).ReadFrame()
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.False(t, releasePending.Load(), "no release is scheduled for 100 kB")
	})
}

// nested returns depth arrays of one element each around an integer, and
// its wire form.
func nested(depth int) (Frame, string) {
	var f Frame = Integer(1)
	for range depth {
		f = Array{f}
	}
	return f, strings.Repeat("*1\r\n", depth) + ":1\r\n"
}

func TestReplyNesting(t *testing.T) {
	t.Run("MaxDepth nested arrays are read", func(t *testing.T) {
		want, wire := nested(MaxDepth)
		got, err := newClientConnection(newMemConn([]byte(wire))).ReadFrame()
		require.NoError(t, err)
		assert.Equal(t, want, got)
	})

	for _, depth := range []int{MaxDepth + 1, 100} {
		t.Run(strconv.Itoa(depth)+" nested arrays are a protocol error", func(t *testing.T) {
			_, wire := nested(depth)
			_, err := newClientConnection(newMemConn([]byte(wire))).ReadFrame()
			perr := errorsAsProtocol(err)
			require.NotNil(t, perr, "got %v", err)
			assert.Equal(t, "too deeply nested reply", perr.Reason)
		})
	}

	t.Run("a hundred thousand nested arrays fail without exhausting the stack", func(t *testing.T) {
		_, wire := nested(100_000)
		_, err := newClientConnection(newMemConn([]byte(wire))).ReadFrame()
		assert.NotNil(t, errorsAsProtocol(err))
	})
}

func TestClientProtocolErrors(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		reason string
	}{
		{"an unknown type byte", "?x\r\n", "unexpected frame type '?'"},
		{"a bare line feed", "\n", "unexpected frame type ' '"},
		{"a bulk length below -1", "$-2\r\n", "invalid bulk length"},
		{"a bulk length above 512 MiB", "$536870913\r\n", "invalid bulk length"},
		{"an array length below -1", "*-2\r\n", "invalid multibulk length"},
		{"an array length above MaxArrayLen", "*" + strconv.Itoa(MaxArrayLen+1) + "\r\n", "invalid multibulk length"},
		{"an integer that is not a number", ":x\r\n", "invalid integer"},
		{"a RESP3 null with a payload", "_x\r\n", "invalid null"},
		{"a reply line over 64 KiB", "+" + strings.Repeat("s", MaxInlineLen) + "\r\n", "too big reply line"},
		{"bulk data not followed by CRLF", "$1\r\nabc", "expected CRLF after bulk data"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused and nothing is sent back", func(t *testing.T) {
			var out bytes.Buffer
			client := newClientConnection(&memConn{r: strings.NewReader(tt.input), w: &out})
			_, err := client.ReadFrame()
			perr := errorsAsProtocol(err)
			require.NotNil(t, perr, "got %v", err)
			assert.Equal(t, tt.reason, perr.Reason)
			assert.Empty(t, out.String(), "a client does not answer a malformed reply")
		})
	}
}

func TestRequestsOfEveryLengthUpToForty(t *testing.T) {
	// A connection cuts the Arrays of short requests from a slab that
	// grows; a request longer than the first slab once crashed the
	// server. Each length is the first request of a new connection, and
	// then the second, after a short one.
	for n := 1; n <= 40; n++ {
		words := make([]string, n)
		for i := range words {
			words[i] = strconv.Itoa(i)
		}
		request := miniredistest.Command(words...)
		for _, before := range []string{"", miniredistest.Command("PING")} {
			server, client := tcpPair(t)
			c := NewConnection(server)
			_, err := client.Write([]byte(before + request))
			require.NoError(t, err)
			if before != "" {
				_, err := c.ReadFrame()
				require.NoError(t, err)
			}
			f, err := c.ReadFrame()
			require.NoError(t, err, "a request of %d elements", n)
			require.Len(t, f, n, "a request of %d elements", n)
			assert.Equal(t, Bulk(strconv.Itoa(n-1)), f.(Array)[n-1])
		}
	}
}
