package miniredis

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzReadFrame feeds arbitrary bytes to a server Connection and to a
// client one. Whatever the bytes, reading must not panic, must end in one
// of the three documented errors, and a server must only ever return a
// request it could be sent again.
func FuzzReadFrame(f *testing.F) {
	seeds := []string{
		"",
		"*3\r\n$3\r\nset\r\n$5\r\nhello\r\n$5\r\nworld\r\n",
		"*2\r\n$3\r\nget\r\n$5\r\nhello\r\n*1\r\n$4\r\nPING\r\n",
		"SET hello world\r\nGET hello\n",
		"SET k \"a b\" \"\\x41\\n\" 'it\\'s'\r\n",
		"\r\n\n*0\r\n*-1\r\nPING\r\n",
		"+OK\r\n-ERR unknown\r\n:-42\r\n$5\r\nhello\r\n$0\r\n\r\n$-1\r\n_\r\n*-1\r\n",
		"*3\r\n*1\r\n:1\r\n$-1\r\n*0\r\n",
		"*abc\r\n",
		"*1\r\n$abc\r\n",
		"*1\r\n$-1\r\n",
		"*1\r\n$536870913\r\n",
		"*1\r\n$536870912\r\nabc",
		"*1000000\r\n$3\r\nfoo\r\n",
		"*1\r\nfoo\r\n",
		"*1\r\n\r\n",
		"*1\r\n$3\r\nfooXY",
		"*+1\r\n$4\r\nPING\r\n",
		"*01\r\n",
		"SET \"a b\r\n",
		"SET 'a'b\r\n",
		"\"\\x4\"",
		strings.Repeat("*1\r\n", 40) + ":1\r\n",
		"?x\r\n",
		"_x\r\n",
		"*2\r\n$3\r\nge",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		readAllAsServer(t, data)
		readAllAsClient(t, data)
	})
}

// checkReadError fails unless err is one ReadFrame documents.
func checkReadError(t *testing.T, err error) {
	t.Helper()
	switch {
	// A clean close is io.EOF itself, so callers may compare with ==.
	case err == io.EOF:
	case errors.Is(err, io.ErrUnexpectedEOF):
		assert.False(t, errors.Is(err, io.EOF), "a torn frame must not be io.EOF: %v", err)
	case errorsAsProtocol(err) != nil:
	default:
		t.Fatalf("ReadFrame returned %#v, which is none of io.EOF, io.ErrUnexpectedEOF or *ProtocolError", err)
	}
}

func readAllAsServer(t *testing.T, data []byte) {
	var out bytes.Buffer
	c := NewConnection(&memConn{r: bytes.NewReader(data), w: &out})
	// Every frame takes at least one byte, which bounds the loop.
	for range len(data) + 1 {
		f, err := c.ReadFrame()
		if err != nil {
			checkReadError(t, err)
			if perr := errorsAsProtocol(err); perr != nil {
				assert.Equal(t, "-ERR "+perr.Error()+"\r\n", out.String(),
					"the server answers a malformed request with exactly one error line")
				_, again := c.ReadFrame()
				assert.Same(t, perr, errorsAsProtocol(again), "a protocol error is final")
			} else {
				assert.Empty(t, out.String(), "nothing is sent back unless the request was malformed")
			}
			return
		}
		req, ok := f.(Array)
		require.True(t, ok, "a request is an array, got %s", f)
		require.NotEmpty(t, req, "an empty request is skipped, never returned")
		for _, elem := range req {
			require.IsType(t, Bulk(nil), elem, "every argument is a bulk string: %s", f)
		}
		// What a server reads, a client can send again unchanged.
		var wire bytes.Buffer
		require.NoError(t, newClientConnection(&memConn{r: bytes.NewReader(nil), w: &wire}).WriteFrame(f))
		again, err := NewConnection(newMemConn(wire.Bytes())).ReadFrame()
		require.NoError(t, err)
		assert.Equal(t, f, again)
	}
	t.Fatalf("ReadFrame returned more frames than the %d input bytes can hold", len(data))
}

func readAllAsClient(t *testing.T, data []byte) {
	var out bytes.Buffer
	c := newClientConnection(&memConn{r: bytes.NewReader(data), w: &out})
	for range len(data) + 1 {
		f, err := c.ReadFrame()
		if err != nil {
			checkReadError(t, err)
			assert.Empty(t, out.String(), "a client never answers a reply")
			return
		}
		require.NotNil(t, f)
	}
	t.Fatalf("ReadFrame returned more frames than the %d input bytes can hold", len(data))
}
