package miniredis

import (
	"bytes"
	"errors"
	"fmt"
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
		"*17\r\n" + strings.Repeat("$1\r\na\r\n", 17),
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

// FuzzInline checks splitArgs, the parser of inline requests, three ways:
// a line without quotes splits as a simple rule says it should; the words
// of any line it accepts, quoted again, split back into the same words;
// and a server Connection reading the line returns those same words.
func FuzzInline(f *testing.F) {
	seeds := []string{
		"SET hello world",
		"  GET \t a  ",
		"\v\fa\vb c",
		`SET k "a b" "\x41\n" 'it\'s'`,
		`"\x4a\x4A" "\r\t\b\a" "\"q\" \\ \z" "\x4"`,
		`'a\nb' '' "" a"b c"`,
		`SET "a b`,
		`"a"b`,
		`"a\"`,
		"GET a\r",
		"a\x00b",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		words, ok := splitArgs(line)
		if !ok {
			assert.Nil(t, words, "an unbalanced line has no words")
		}
		if !bytes.ContainsAny(line, `"'`) {
			require.True(t, ok, "a line without quotes is always balanced")
			assert.Equal(t, unquotedWords(line), words)
		}
		if !ok {
			return
		}

		again, ok := splitArgs(quoteWords(words))
		require.True(t, ok, "quoted words are balanced")
		assert.Equal(t, words, again, "quoted words split back into themselves")

		if bytes.IndexByte(line, '\n') >= 0 || len(line) > MaxInlineLen || len(line) > 0 && line[0] == '*' {
			return // not one inline request
		}
		f, err := NewConnection(newMemConn(append(line, "\r\n"...))).ReadFrame()
		if len(words) == 0 {
			assert.Equal(t, io.EOF, err, "a line of no words is skipped")
			return
		}
		require.NoError(t, err)
		want := make(Array, len(words))
		for i, w := range words {
			want[i] = Bulk(w)
		}
		assert.Equal(t, want, f)
	})
}

// unquotedWords is how a line without quotes splits, said another way
// than splitArgs says it: a word ends at a space, tab, CR or LF, and
// vertical tabs and form feeds are dropped where a word would begin.
func unquotedWords(line []byte) [][]byte {
	var words [][]byte
	ends := func(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' }
	for _, field := range bytes.FieldsFunc(line, ends) {
		if w := bytes.TrimLeft(field, "\v\f"); len(w) > 0 {
			words = append(words, w)
		}
	}
	return words
}

// quoteWords writes words as an inline line that splitArgs must read back
// exactly: each word in double quotes, every byte but a letter or a digit
// as a \xHH escape.
func quoteWords(words [][]byte) []byte {
	var line []byte
	for _, w := range words {
		line = append(line, ' ', '"')
		for _, b := range w {
			if 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' {
				line = append(line, b)
			} else {
				line = fmt.Appendf(line, `\x%02x`, b)
			}
		}
		line = append(line, '"')
	}
	return line
}

// chunkReader returns data at most size bytes per Read, so a request can
// be cut anywhere, as TCP may cut it.
type chunkReader struct {
	data []byte
	size int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.size)], r.data)
	r.data = r.data[n:]
	return n, nil
}

// FuzzParseWhole checks that the one-pass parser of whole requests,
// parseWhole, and the general one, readRequest, see every input alike,
// however it is cut into reads: the same frames, the same error, the same
// bytes sent back.
func FuzzParseWhole(f *testing.F) {
	seeds := []string{
		"*3\r\n$3\r\nset\r\n$5\r\nhello\r\n$5\r\nworld\r\n*2\r\n$3\r\nget\r\n$5\r\nhello\r\n",
		"*1\r\n$0\r\n\r\n*0\r\n*-1\r\nPING\r\n",
		"*1\n$4\nPING\n*1\r\n$4\r\nPING\r\r",
		"*01\r\n$1\r\na\r\n",
		"*1\r\n$01\r\na\r\n",
		"*1\r\n$-1\r\n",
		"*1\r\n$1\r\nab\r\n",
		"*2\r\n$1\r\na\r\n:1\r\n",
		"*1\r\n$1234567890\r\n",
		"*9999999999\r\n",
		"*1\r\n$3\r\nfoo",
		// Arrays around the sizes a connection's slab of Frames is cut in.
		"*17\r\n" + strings.Repeat("$1\r\na\r\n", 17),
		"*33\r\n" + strings.Repeat("$1\r\na\r\n", 33),
	}
	for _, s := range seeds {
		for _, size := range []uint16{1, 7, 16 << 10} {
			f.Add([]byte(s), size)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, size uint16) {
		read := func(fast bool) (frames []Frame, last string, out string) {
			var w bytes.Buffer
			c := NewConnection(&memConn{r: &chunkReader{data: data, size: max(int(size), 1)}, w: &w})
			c.noFastPath = !fast
			for range len(data) + 1 {
				f, err := c.ReadFrame()
				if err != nil {
					return frames, err.Error(), w.String()
				}
				frames = append(frames, f)
			}
			t.Fatalf("more frames than the %d input bytes can hold", len(data))
			return
		}
		fastFrames, fastErr, fastOut := read(true)
		frames, err, out := read(false)
		assert.Equal(t, frames, fastFrames)
		assert.Equal(t, err, fastErr)
		assert.Equal(t, out, fastOut)
	})
}
