package miniredis

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitAndPipelinedReads(t *testing.T) {
	t.Run("two frames in one read are both returned", func(t *testing.T) {
		// Over net.Pipe the one Write below is exactly one Read.
		serverConn, clientConn := pipePair(t)
		counted := &countingConn{Conn: serverConn}
		server := NewConnection(counted)
		written := writeAsync(clientConn, []byte(miniredistest.Command("set", "a", "1")+miniredistest.Command("get", "a")))

		first, err := server.ReadFrame()
		require.NoError(t, err)
		require.NoError(t, <-written)
		assert.Equal(t, Array{Bulk("set"), Bulk("a"), Bulk("1")}, first)
		second, err := server.ReadFrame()
		require.NoError(t, err)
		assert.Equal(t, Array{Bulk("get"), Bulk("a")}, second)
		reads, _ := counted.counts()
		assert.Equal(t, 1, reads, "the second frame should come from the buffer, not the socket")
	})

	t.Run("two frames in one TCP write are both returned", func(t *testing.T) {
		serverConn, clientConn := tcpPair(t)
		server := NewConnection(serverConn)
		_, err := io.WriteString(clientConn, miniredistest.Command("set", "a", "1")+miniredistest.Command("get", "a"))
		require.NoError(t, err)

		first, err := server.ReadFrame()
		require.NoError(t, err)
		assert.Equal(t, Array{Bulk("set"), Bulk("a"), Bulk("1")}, first)
		second, err := server.ReadFrame()
		require.NoError(t, err)
		assert.Equal(t, Array{Bulk("get"), Bulk("a")}, second)
	})

	t.Run("two replies in one write are both returned to a client", func(t *testing.T) {
		serverConn, clientConn := tcpPair(t)
		client := newClientConnection(clientConn)
		_, err := io.WriteString(serverConn, "+OK\r\n$1\r\n1\r\n")
		require.NoError(t, err)

		first, err := client.ReadFrame()
		require.NoError(t, err)
		assert.Equal(t, Simple("OK"), first)
		second, err := client.ReadFrame()
		require.NoError(t, err)
		assert.Equal(t, Bulk("1"), second)
	})

	t.Run("one frame delivered one byte at a time over many writes is returned whole", func(t *testing.T) {
		// net.Pipe hands each one-byte Write to exactly one Read, so the
		// Connection really does see the frame in one-byte pieces.
		serverConn, clientConn := pipePair(t)
		counted := &countingConn{Conn: serverConn}
		server := NewConnection(counted)
		req := miniredistest.Command("set", "greeting", "hello world")
		var chunks [][]byte
		for i := range len(req) {
			chunks = append(chunks, []byte{req[i]})
		}
		written := writeAsync(clientConn, chunks...)

		got, err := server.ReadFrame()
		require.NoError(t, err)
		require.NoError(t, <-written)
		assert.Equal(t, Array{Bulk("set"), Bulk("greeting"), Bulk("hello world")}, got)
		reads, _ := counted.counts()
		assert.Equal(t, len(req), reads, "every byte should have taken a read of its own")
	})

	t.Run("a reply delivered one byte at a time is returned whole to a client", func(t *testing.T) {
		serverConn, clientConn := pipePair(t)
		client := newClientConnection(clientConn)
		reply := "*2\r\n$5\r\nhello\r\n:-7\r\n"
		var chunks [][]byte
		for i := range len(reply) {
			chunks = append(chunks, []byte{reply[i]})
		}
		written := writeAsync(serverConn, chunks...)

		got, err := client.ReadFrame()
		require.NoError(t, err)
		require.NoError(t, <-written)
		assert.Equal(t, Array{Bulk("hello"), Integer(-7)}, got)
	})

	t.Run("a bulk string larger than the 16 KiB read buffer is returned whole", func(t *testing.T) {
		serverConn, clientConn := tcpPair(t)
		server := NewConnection(serverConn)
		value := bytes.Repeat([]byte("0123456789abcdef"), 5*ReadBufferSize/16+3)
		written := writeAsync(clientConn, []byte(miniredistest.Command("set", "k", string(value))))

		got, err := server.ReadFrame()
		require.NoError(t, err)
		require.NoError(t, <-written)
		assert.Equal(t, Array{Bulk("set"), Bulk("k"), Bulk(value)}, got)
	})

	t.Run("an inline line longer than 16 KiB but under 64 KiB is returned whole", func(t *testing.T) {
		serverConn, clientConn := tcpPair(t)
		server := NewConnection(serverConn)
		value := strings.Repeat("v", 40<<10)
		written := writeAsync(clientConn, []byte("SET k "+value+"\r\n"))

		got, err := server.ReadFrame()
		require.NoError(t, err)
		require.NoError(t, <-written)
		assert.Equal(t, Array{Bulk("SET"), Bulk("k"), Bulk(value)}, got)
	})

	t.Run("an inline line of exactly 64 KiB is still accepted", func(t *testing.T) {
		line := "GET " + strings.Repeat("k", MaxInlineLen-len("GET "))
		server := NewConnection(newMemConn([]byte(line + "\r\n")))
		got, err := server.ReadFrame()
		require.NoError(t, err)
		assert.Equal(t, Array{Bulk("GET"), Bulk(line[len("GET "):])}, got)
	})

	t.Run("a simple string reply longer than the read buffer is returned whole", func(t *testing.T) {
		text := strings.Repeat("s", 20<<10)
		client := newClientConnection(newMemConn([]byte("+" + text + "\r\n")))
		got, err := client.ReadFrame()
		require.NoError(t, err)
		assert.Equal(t, Simple(text), got)
	})
}

// serveCounting runs the usual server loop, ReadFrame then WriteFrame(OK),
// over conn until reading fails, and reports how many socket Reads
// returned bytes and how many Writes it made.
func serveCounting(conn net.Conn) <-chan [2]int {
	done := make(chan [2]int, 1)
	go func() {
		counted := &countingConn{Conn: conn}
		c := NewConnection(counted)
		for {
			if _, err := c.ReadFrame(); err != nil {
				break
			}
			if err := c.WriteFrame(Simple("OK")); err != nil {
				break
			}
		}
		reads, writes := counted.counts()
		done <- [2]int{reads, writes}
	}()
	return done
}

func TestFlushPolicy(t *testing.T) {
	t.Run("a lone request is answered at once, while the client waits", func(t *testing.T) {
		addr := serveFrames(t, echo)
		client := miniredistest.Dial(t, addr)
		// The client neither closes nor sends more: the reply can only come
		// from WriteFrame flushing by itself.
		client.Send(miniredistest.Command("get", "a"))
		client.Expect(miniredistest.Command("get", "a"))
		client.Send("PING\r\n")
		client.Expect("*1\r\n$4\r\nPING\r\n")
	})

	const n = 100
	pipeline := strings.Repeat(miniredistest.Command("set", "k", "v"), n)
	replies := strings.Repeat("+OK\r\n", n)

	t.Run("a pipeline arriving in one read is answered with one write", func(t *testing.T) {
		// Over net.Pipe one Write of under 16 KiB reaches the server as one
		// Read, so exactly one write is the only correct answer.
		serverConn, clientConn := pipePair(t)
		done := serveCounting(serverConn)

		written := writeAsync(clientConn, []byte(pipeline))
		got := make([]byte, len(replies))
		_, err := io.ReadFull(clientConn, got)
		require.NoError(t, err)
		require.NoError(t, <-written)
		assert.Equal(t, replies, string(got))
		require.NoError(t, clientConn.Close())

		counts := <-done
		assert.Equal(t, 1, counts[0], "reads that returned bytes")
		assert.Equal(t, 1, counts[1], "writes")
	})

	t.Run("a pipeline sent in one write over TCP takes no more writes than reads", func(t *testing.T) {
		// TCP may hand the server the pipeline in several pieces, so the
		// assertion is the one the policy guarantees whatever the pieces:
		// replies are flushed at most once per read that brought requests.
		serverConn, clientConn := tcpPair(t)
		done := serveCounting(serverConn)

		_, err := io.WriteString(clientConn, pipeline)
		require.NoError(t, err)
		got := make([]byte, len(replies))
		_, err = io.ReadFull(clientConn, got)
		require.NoError(t, err)
		assert.Equal(t, replies, string(got))
		require.NoError(t, clientConn.Close())

		counts := <-done
		reads, writes := counts[0], counts[1]
		assert.GreaterOrEqual(t, writes, 1)
		assert.LessOrEqual(t, writes, reads, "%d requests took %d reads and %d writes", n, reads, writes)
		if reads == 1 {
			assert.Equal(t, 1, writes, "a pipeline read at once is answered at once")
		}
	})

	t.Run("replies to a pipeline cut mid-request go out before the server waits for the rest", func(t *testing.T) {
		// The server has answered the first request and holds half of the
		// second. It must send the first reply before it blocks, or a client
		// waiting for that reply before sending the rest would deadlock.
		serverConn, clientConn := pipePair(t)
		done := serveCounting(serverConn)
		second := miniredistest.Command("get", "k")
		written := writeAsync(clientConn, []byte(miniredistest.Command("set", "k", "v")+second[:5]))

		got := make([]byte, len("+OK\r\n"))
		_, err := io.ReadFull(clientConn, got)
		require.NoError(t, err)
		require.NoError(t, <-written)
		assert.Equal(t, "+OK\r\n", string(got))

		written = writeAsync(clientConn, []byte(second[5:]))
		_, err = io.ReadFull(clientConn, got)
		require.NoError(t, err)
		require.NoError(t, <-written)
		assert.Equal(t, "+OK\r\n", string(got))
		require.NoError(t, clientConn.Close())
		<-done
	})

	t.Run("Close sends replies that are still buffered", func(t *testing.T) {
		var out bytes.Buffer
		// Two requests are read at once, so the first reply stays buffered.
		c := NewConnection(&memConn{r: strings.NewReader("PING\r\nPING\r\n"), w: &out})
		_, err := c.ReadFrame()
		require.NoError(t, err)
		require.NoError(t, c.WriteFrame(Simple("PONG")))
		assert.Empty(t, out.String(), "the reply should wait for the second request")
		require.NoError(t, c.Close())
		assert.Equal(t, "+PONG\r\n", out.String())
	})

	t.Run("a connection its owner has closed counts as closed, not busy", func(t *testing.T) {
		server := NewConnection(newMemConn([]byte("PING\r\n")))
		_, err := server.ReadFrame()
		require.NoError(t, err)
		require.NoError(t, server.Close())
		assert.True(t, server.CloseIdle())
	})
}

func TestEOF(t *testing.T) {
	t.Run("a close before any byte is io.EOF", func(t *testing.T) {
		serverConn, clientConn := tcpPair(t)
		server := NewConnection(serverConn)
		require.NoError(t, clientConn.Close())
		_, err := server.ReadFrame()
		assert.ErrorIs(t, err, io.EOF)
	})

	t.Run("a clean close between frames is io.EOF", func(t *testing.T) {
		serverConn, clientConn := tcpPair(t)
		server := NewConnection(serverConn)
		_, err := io.WriteString(clientConn, miniredistest.Command("get", "a"))
		require.NoError(t, err)
		require.NoError(t, clientConn.Close())

		_, err = server.ReadFrame()
		require.NoError(t, err)
		_, err = server.ReadFrame()
		assert.ErrorIs(t, err, io.EOF)
	})

	t.Run("a close after skipped empty lines is still a clean io.EOF", func(t *testing.T) {
		server := NewConnection(newMemConn([]byte("\r\n\n*0\r\n")))
		_, err := server.ReadFrame()
		assert.ErrorIs(t, err, io.EOF)
	})

	midFrame := []struct {
		name  string
		input string
	}{
		{"in the array length line", "*2"},
		{"after the array length", "*2\r\n"},
		{"in a bulk length line", "*2\r\n$3"},
		{"in the bulk data", "*2\r\n$3\r\nge"},
		{"before the CRLF after the bulk data", "*2\r\n$3\r\nget"},
		{"between the CR and LF after the bulk data", "*2\r\n$3\r\nget\r"},
		{"between two arguments", "*2\r\n$3\r\nget\r\n"},
		{"in an inline command", "GET a"},
	}
	for _, tt := range midFrame {
		t.Run("a close "+tt.name+" wraps io.ErrUnexpectedEOF and is not io.EOF", func(t *testing.T) {
			serverConn, clientConn := tcpPair(t)
			server := NewConnection(serverConn)
			_, err := io.WriteString(clientConn, tt.input)
			require.NoError(t, err)
			require.NoError(t, clientConn.Close())

			_, err = server.ReadFrame()
			require.Error(t, err)
			assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
			assert.False(t, errors.Is(err, io.EOF), "a torn frame must not look like a clean close: %v", err)
		})
	}

	tornReplies := []struct {
		name  string
		input string
	}{
		{"a bulk string", "$5\r\nhel"},
		{"an array", "*2\r\n:1\r\n"},
		{"a simple string", "+OK"},
		{"an integer", ":12"},
	}
	for _, tt := range tornReplies {
		t.Run("a client sees a close in "+tt.name+" reply as io.ErrUnexpectedEOF", func(t *testing.T) {
			client := newClientConnection(newMemConn([]byte(tt.input)))
			_, err := client.ReadFrame()
			assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
			assert.False(t, errors.Is(err, io.EOF))
		})
	}
}

// strangeFrame is a Frame of a type WriteFrame does not know. Embedding
// the interface is the only way another package can make one.
type strangeFrame struct{ Frame }

func TestWriteFrameRefusesWithoutWritingAnything(t *testing.T) {
	tests := []struct {
		name  string
		frame Frame
	}{
		{"a simple string holding CRLF", Simple("OK\r\n+INJECTED")},
		{"a simple string holding LF", Simple("a\nb")},
		{"an error holding CR", Error("ERR a\rb")},
		{"a nil frame", nil},
		{"a frame of an unknown type", strangeFrame{Simple("x")}},
		{"an array whose last element is a bad simple string", Array{Bulk("a"), Integer(1), Simple("bad\n")}},
		{"an array holding a nil frame", Array{Bulk("a"), nil}},
		{"a bad frame nested two arrays deep", Array{Array{Array{Error("x\r\ny")}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused and leaves the stream clean", func(t *testing.T) {
			var out bytes.Buffer
			c := NewConnection(&memConn{r: strings.NewReader(""), w: &out})

			require.Error(t, c.WriteFrame(tt.frame))
			require.NoError(t, c.Flush())
			assert.Empty(t, out.String(), "nothing of a refused frame may be sent")

			// The connection is still usable, and the next frame is sent
			// alone, with no stray header before it.
			require.NoError(t, c.WriteFrame(Simple("OK")))
			assert.Equal(t, "+OK\r\n", out.String())
		})
	}
}

func TestProtocolErrorReplyIsSentBeforeReadFrameReturns(t *testing.T) {
	// The request after the malformed one stays in the read buffer, which is
	// when WriteFrame would hold a reply back. The error reply must go out
	// anyway: a caller may close the net.Conn directly.
	serverConn, clientConn := tcpPair(t)
	server := NewConnection(serverConn)
	_, err := io.WriteString(clientConn, "*abc\r\nPING\r\n")
	require.NoError(t, err)

	_, err = server.ReadFrame()
	require.Error(t, err)
	require.NotNil(t, errorsAsProtocol(err))

	want := "-ERR Protocol error: invalid multibulk length\r\n"
	got := make([]byte, len(want))
	_, err = io.ReadFull(clientConn, got)
	require.NoError(t, err, "the error reply should already have been sent")
	assert.Equal(t, want, string(got))
}

func TestProtocolErrorIsSticky(t *testing.T) {
	server := NewConnection(newMemConn([]byte("*1\r\n$x\r\nPING\r\n")))
	_, first := server.ReadFrame()
	require.NotNil(t, errorsAsProtocol(first))
	_, again := server.ReadFrame()
	assert.Same(t, errorsAsProtocol(first), errorsAsProtocol(again),
		"after a protocol error the stream cannot be trusted, so reading must not resume")
}

func TestCloseIdle(t *testing.T) {
	t.Run("a connection waiting for its first request is closed at once", func(t *testing.T) {
		serverConn, _ := tcpPair(t)
		server := NewConnection(serverConn)
		assert.True(t, server.CloseIdle())
		_, err := server.ReadFrame()
		assert.ErrorIs(t, err, io.EOF, "a connection closed while idle ends cleanly")
		assert.True(t, server.CloseIdle(), "a second call reports the connection closed")
	})

	t.Run("a connection blocked waiting for a request is woken with io.EOF", func(t *testing.T) {
		serverConn, _ := pipePair(t)
		stop := t.Context().Done()
		reads := make(chan struct{})
		server := NewConnection(&countingConn{Conn: serverConn, readCalls: reads, stop: stop})
		result := make(chan error, 1)
		go func() {
			_, err := server.ReadFrame()
			result <- err
		}()

		<-reads // ReadFrame has gone to the socket for a request
		assert.True(t, server.CloseIdle())
		assert.ErrorIs(t, <-result, io.EOF)
	})

	t.Run("a request part-way in is finished, then the connection ends instead of waiting for more", func(t *testing.T) {
		serverConn, clientConn := pipePair(t)
		// If the test fails part-way, its context ends the goroutine below
		// instead of leaving it blocked on a channel nobody reads.
		stop := t.Context().Done()
		reads := make(chan struct{})
		counted := &countingConn{Conn: serverConn, readCalls: reads, stop: stop}
		server := NewConnection(counted)
		type result struct {
			f   Frame
			err error
		}
		results := make(chan result)
		go func() {
			for {
				f, err := server.ReadFrame()
				select {
				case results <- result{f, err}:
				case <-stop:
					return
				}
				if err != nil {
					return
				}
			}
		}()

		<-reads // the first Read, waiting for a request
		written := writeAsync(clientConn, []byte("*1\r\n$4\r\nPI"))
		<-reads // the second Read, holding half a request
		require.NoError(t, <-written)
		assert.False(t, server.CloseIdle(), "half a request has arrived, so the connection is busy")

		written = writeAsync(clientConn, []byte("NG\r\n"))
		r := <-results
		require.NoError(t, r.err)
		require.NoError(t, <-written)
		assert.Equal(t, Array{Bulk("PING")}, r.f, "the request in progress is still read whole")

		r = <-results
		assert.ErrorIs(t, r.err, io.EOF)
		dataReads, _ := counted.counts()
		assert.Equal(t, 2, dataReads, "the connection should end without waiting on the socket again")
		assert.True(t, server.CloseIdle(), "a second call, now that it is idle, closes it")
	})

	t.Run("requests that have already arrived are still returned", func(t *testing.T) {
		server := NewConnection(newMemConn([]byte("PING\r\nECHO a\r\nGET b\r\n")))
		first, err := server.ReadFrame()
		require.NoError(t, err)
		assert.Equal(t, Array{Bulk("PING")}, first)

		assert.False(t, server.CloseIdle(), "a request is being answered, so the connection is busy")
		second, err := server.ReadFrame()
		require.NoError(t, err)
		assert.Equal(t, Array{Bulk("ECHO"), Bulk("a")}, second)
		third, err := server.ReadFrame()
		require.NoError(t, err)
		assert.Equal(t, Array{Bulk("GET"), Bulk("b")}, third)
		_, err = server.ReadFrame()
		assert.ErrorIs(t, err, io.EOF)
	})

	t.Run("replies still buffered go out before the connection ends", func(t *testing.T) {
		var out bytes.Buffer
		server := NewConnection(&memConn{r: strings.NewReader("PING\r\nPING\r\n"), w: &out})
		_, err := server.ReadFrame()
		require.NoError(t, err)
		require.NoError(t, server.WriteFrame(Simple("PONG")))
		_, err = server.ReadFrame()
		require.NoError(t, err)
		require.Empty(t, out.String(), "the reply waited behind the second request")

		assert.False(t, server.CloseIdle())
		_, err = server.ReadFrame()
		assert.ErrorIs(t, err, io.EOF)
		assert.Equal(t, "+PONG\r\n", out.String())
	})
}

func TestRemoteAddrIsThePeers(t *testing.T) {
	serverConn, clientConn := tcpPair(t)
	assert.Equal(t, clientConn.LocalAddr().String(), NewConnection(serverConn).RemoteAddr().String())
}

// failingWriter fails every write, as a socket does once the peer is gone.
type failingWriter struct{}

var errWriteFailed = errors.New("write failed")

func (failingWriter) Write([]byte) (int, error) { return 0, errWriteFailed }

func TestWriteErrors(t *testing.T) {
	t.Run("WriteFrame reports a failed flush", func(t *testing.T) {
		c := NewConnection(&memConn{r: strings.NewReader(""), w: failingWriter{}})
		assert.ErrorIs(t, c.WriteFrame(Simple("OK")), errWriteFailed)
	})

	t.Run("a buffered reply that cannot be sent is reported by the next ReadFrame", func(t *testing.T) {
		c := NewConnection(&memConn{r: strings.NewReader("PING\r\nPING\r\n"), w: failingWriter{}})
		_, err := c.ReadFrame()
		require.NoError(t, err)
		require.NoError(t, c.WriteFrame(Simple("PONG")), "the reply waits behind the second request")
		_, err = c.ReadFrame()
		require.NoError(t, err)
		_, err = c.ReadFrame()
		assert.ErrorIs(t, err, errWriteFailed)
	})

	t.Run("a failed flush before reading the rest of a request is not mistaken for a close", func(t *testing.T) {
		c := NewConnection(&memConn{r: strings.NewReader("PING\r\nPI"), w: failingWriter{}})
		_, err := c.ReadFrame()
		require.NoError(t, err)
		require.NoError(t, c.WriteFrame(Simple("PONG")))
		_, err = c.ReadFrame()
		assert.ErrorIs(t, err, errWriteFailed)
		assert.False(t, errors.Is(err, io.ErrUnexpectedEOF))
	})

	t.Run("Close reports a failed flush", func(t *testing.T) {
		c := NewConnection(&memConn{r: strings.NewReader("PING\r\nPING\r\n"), w: failingWriter{}})
		_, err := c.ReadFrame()
		require.NoError(t, err)
		require.NoError(t, c.WriteFrame(Simple("PONG")))
		assert.ErrorIs(t, c.Close(), errWriteFailed)
	})
}

func TestAbort(t *testing.T) {
	t.Run("requests already buffered are not read after it", func(t *testing.T) {
		serverConn, clientConn := tcpPair(t)
		server := NewConnection(serverConn)
		_, err := clientConn.Write([]byte("SET a 1\r\nSET b 2\r\nSET c 3\r\n"))
		require.NoError(t, err)
		_, err = server.ReadFrame()
		require.NoError(t, err)

		server.Abort()
		assert.ErrorIs(t, server.WriteFrame(Simple("OK")), net.ErrClosed)
		_, err = server.ReadFrame()
		assert.ErrorIs(t, err, net.ErrClosed, "SET b is in the buffer, and must not be read")
	})

	t.Run("a connection in the middle of a request is closed at once", func(t *testing.T) {
		serverConn, clientConn := tcpPair(t)
		reads := make(chan struct{})
		server := NewConnection(&countingConn{Conn: serverConn, readCalls: reads, stop: t.Context().Done()})
		// Half a request: the connection is busy, so CloseIdle would leave
		// it to finish.
		_, err := clientConn.Write([]byte("*1\r\n$4\r\nPI"))
		require.NoError(t, err)
		result := make(chan error, 1)
		go func() {
			_, err := server.ReadFrame()
			result <- err
		}()
		// The first read takes the half request; the second waits for the
		// rest.
		miniredistest.Receive(t, reads)
		miniredistest.Receive(t, reads)

		server.Abort()
		err = miniredistest.Receive(t, result)
		require.Error(t, err)
		assert.NotErrorIs(t, err, io.EOF, "an aborted request is not a clean end")
		_, err = clientConn.Read(make([]byte, 1))
		assert.ErrorIs(t, err, io.EOF, "the client sees the connection closed")
		assert.True(t, server.CloseIdle(), "an aborted connection reports itself closed")
		server.Abort()
	})
}

func TestBuffersAreLentOnlyWhileInUse(t *testing.T) {
	t.Run("a TCP connection that has answered a request and waits for the next holds no buffer", func(t *testing.T) {
		serverConn, clientConn := tcpPair(t)
		server := NewConnection(serverConn)
		_, err := io.WriteString(clientConn, miniredistest.Command("set", "k", "v"))
		require.NoError(t, err)
		_, err = server.ReadFrame()
		require.NoError(t, err)
		require.NoError(t, server.WriteFrame(Simple("OK")))
		assert.Nil(t, server.out, "the write buffer goes back once the reply is out")
		reply := make([]byte, len("+OK\r\n"))
		_, err = io.ReadFull(clientConn, reply)
		require.NoError(t, err)

		// The next ReadFrame waits on the socket until the client closes.
		// Its read found nothing, so it took no buffer for it.
		require.NoError(t, clientConn.Close())
		_, err = server.ReadFrame()
		require.ErrorIs(t, err, io.EOF)
		assert.Nil(t, server.in, "the read buffer goes back when a read finds nothing")
	})

	t.Run("a connection from a Listener waits without a read buffer too", func(t *testing.T) {
		inner, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		ln := NewListener(inner)
		t.Cleanup(func() { ln.Close() })
		clientConn, err := net.Dial("tcp", ln.Addr().String())
		require.NoError(t, err)
		t.Cleanup(func() { clientConn.Close() })
		serverConn, err := ln.Accept()
		require.NoError(t, err)
		server := NewConnection(serverConn)
		t.Cleanup(func() { server.Close() })

		require.NoError(t, clientConn.Close())
		_, err = server.ReadFrame()
		require.ErrorIs(t, err, io.EOF)
		assert.Nil(t, server.in, "the read found nothing, so it took no buffer")
	})

	t.Run("a buffer made for a long line is dropped once the line is read", func(t *testing.T) {
		line := "GET " + strings.Repeat("k", 40<<10)
		server := NewConnection(newMemConn([]byte(line + "\r\nPING\r\n")))
		_, err := server.ReadFrame()
		require.NoError(t, err)
		_, err = server.ReadFrame()
		require.NoError(t, err)
		_, err = server.ReadFrame()
		require.ErrorIs(t, err, io.EOF)
		assert.LessOrEqual(t, len(server.in), ReadBufferSize)
	})
}

func TestLargeRepliesKeepTheirOrder(t *testing.T) {
	// Two requests arrive together, so the first, small reply waits in the
	// write buffer while the second, too large for it, is written to the
	// socket directly. The small one must still go first.
	serverConn, clientConn := tcpPair(t)
	server := NewConnection(serverConn)
	large := Bulk(bytes.Repeat([]byte("0123456789"), 5*WriteBufferSize/10))
	_, err := io.WriteString(clientConn, "GET a\r\nGET b\r\n")
	require.NoError(t, err)

	served := make(chan error, 1)
	go func() {
		for _, reply := range []Frame{Bulk("small"), large} {
			if _, err := server.ReadFrame(); err != nil {
				served <- err
				return
			}
			if err := server.WriteFrame(reply); err != nil {
				served <- err
				return
			}
		}
		served <- nil
	}()

	client := newClientConnection(clientConn)
	first, err := client.ReadFrame()
	require.NoError(t, err)
	assert.Equal(t, Bulk("small"), first)
	second, err := client.ReadFrame()
	require.NoError(t, err)
	assert.Equal(t, large, second)
	require.NoError(t, miniredistest.Receive(t, served))
}

// A TCP connection waits for a request through its socket's RawConn, not
// through net.Conn's Read. These check that it still keeps Read's rules.
func TestWaitingOnATCPSocket(t *testing.T) {
	t.Run("a read deadline that has passed ends the wait with a timeout", func(t *testing.T) {
		serverConn, _ := tcpPair(t)
		server := NewConnection(serverConn)
		require.NoError(t, serverConn.SetReadDeadline(time.Now()))
		_, err := server.ReadFrame()
		assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
	})

	t.Run("CloseIdle ends the wait with io.EOF", func(t *testing.T) {
		serverConn, _ := tcpPair(t)
		server := NewConnection(serverConn)
		result := make(chan error, 1)
		go func() {
			_, err := server.ReadFrame()
			result <- err
		}()
		assert.True(t, server.CloseIdle())
		assert.ErrorIs(t, miniredistest.Receive(t, result), io.EOF)
	})

	t.Run("a reset ends the wait with ECONNRESET", func(t *testing.T) {
		serverConn, clientConn := tcpPair(t)
		server := NewConnection(serverConn)
		// Closing with SO_LINGER 0 makes the kernel send a reset.
		require.NoError(t, clientConn.(*net.TCPConn).SetLinger(0))
		require.NoError(t, clientConn.Close())
		_, err := server.ReadFrame()
		assert.True(t, IsConnReset(err), "got %v", err)
	})
}
