package miniredis

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

func protocolError(reason string) *ProtocolError { return &ProtocolError{Reason: reason} }

// readRequest reads a request the way Redis does: '*' starts an array of
// bulk strings, and anything else is an inline command. It returns a nil
// Frame for input Redis ignores (an empty line, an empty array).
func (c *Connection) readRequest() (Frame, error) {
	first, err := c.r.Peek(1)
	if err != nil {
		return nil, err
	}
	if first[0] != '*' {
		return c.readInline()
	}
	n, err := c.readLength("too big mbulk count string")
	if err != nil {
		return nil, err
	}
	if !n.ok || n.v > MaxArrayLen {
		return nil, protocolError("invalid multibulk length")
	}
	if n.v <= 0 {
		return nil, nil
	}
	// Capacity comes from what arrives, not from what the client declared.
	args := make(Array, 0, min(n.v, 16))
	for range n.v {
		kind, err := c.r.Peek(1)
		if err != nil {
			return nil, err
		}
		if kind[0] != '$' {
			return nil, protocolError(fmt.Sprintf("expected '$', got '%c'", printable(kind[0])))
		}
		size, err := c.readLength("too big bulk count string")
		if err != nil {
			return nil, err
		}
		if !size.ok || size.v < 0 || size.v > MaxBulkLen {
			return nil, protocolError("invalid bulk length")
		}
		data, err := c.readBulk(size.v)
		if err != nil {
			return nil, err
		}
		args = append(args, Bulk(data))
	}
	return args, nil
}

// readInline reads a command typed as a line of words, such as
// `SET greeting "hello world"`, and returns it as an Array of Bulk frames.
func (c *Connection) readInline() (Frame, error) {
	line, err := c.readLine("too big inline request")
	if err != nil {
		return nil, err
	}
	words, ok := splitArgs(line)
	if !ok {
		return nil, protocolError("unbalanced quotes in request")
	}
	if len(words) == 0 {
		return nil, nil
	}
	args := make(Array, len(words))
	for i, w := range words {
		args[i] = Bulk(w)
	}
	return args, nil
}

// readReply reads any frame a server may send.
func (c *Connection) readReply(depth int) (Frame, error) {
	if depth > MaxDepth {
		return nil, protocolError("too deeply nested reply")
	}
	kind, err := c.r.Peek(1)
	if err != nil {
		return nil, err
	}
	switch kind[0] {
	case '+', '-', '_':
		line, err := c.readLine("too big reply line")
		if err != nil {
			return nil, err
		}
		switch line[0] {
		case '+':
			return Simple(line[1:]), nil
		case '-':
			return Error(line[1:]), nil
		}
		if len(line) != 1 {
			return nil, protocolError("invalid null")
		}
		return Null{}, nil
	case ':':
		n, err := c.readLength("too big reply line")
		if err != nil {
			return nil, err
		}
		if !n.ok {
			return nil, protocolError("invalid integer")
		}
		return Integer(n.v), nil
	case '$':
		n, err := c.readLength("too big bulk count string")
		if err != nil {
			return nil, err
		}
		if n.ok && n.v == -1 {
			return Null{}, nil
		}
		if !n.ok || n.v < 0 || n.v > MaxBulkLen {
			return nil, protocolError("invalid bulk length")
		}
		data, err := c.readBulk(n.v)
		if err != nil {
			return nil, err
		}
		return Bulk(data), nil
	case '*':
		n, err := c.readLength("too big mbulk count string")
		if err != nil {
			return nil, err
		}
		if n.ok && n.v == -1 {
			return Null{}, nil
		}
		if !n.ok || n.v < 0 || n.v > MaxArrayLen {
			return nil, protocolError("invalid multibulk length")
		}
		elems := make(Array, 0, min(n.v, 16))
		for range n.v {
			f, err := c.readReply(depth + 1)
			if err != nil {
				return nil, err
			}
			elems = append(elems, f)
		}
		return elems, nil
	default:
		return nil, protocolError(fmt.Sprintf("unexpected frame type '%c'", printable(kind[0])))
	}
}

// length is a parsed "*3", "$5" or ":42" line; ok is false when the text
// after the type byte is not a number.
type length struct {
	v  int64
	ok bool
}

// readLength reads a line that starts with a type byte followed by a
// decimal number.
func (c *Connection) readLength(tooBig string) (length, error) {
	line, err := c.readLine(tooBig)
	if err != nil {
		return length{}, err
	}
	v, ok := parseInt(line[1:])
	return length{v, ok}, nil
}

// parseInt parses a decimal number as strictly as Redis's string2ll, which
// refuses what strconv.ParseInt allows: a '+' sign, leading zeros, "-0".
// Redis answers "*01" or "$+3" with a protocol error, and so do we.
func parseInt(b []byte) (int64, bool) {
	digits := b
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || digits[0] < '0' || digits[0] > '9' || digits[0] == '0' && len(b) > 1 {
		return 0, false
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	return v, err == nil
}

// readLine returns the next line, without its "\n" or the "\r" before it.
// Only an inline request can be empty; every other line starts with the
// type byte its caller peeked. A line
// longer than MaxInlineLen is a protocol error with the reason tooBig. The
// slice may point into the read buffer, so it is valid only until the
// next read.
func (c *Connection) readLine(tooBig string) ([]byte, error) {
	line, err := c.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		line, err = c.readLongLine(line, tooBig)
	}
	if err != nil {
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if len(line) > MaxInlineLen {
		return nil, protocolError(tooBig)
	}
	return line, nil
}

// readLongLine gathers a line longer than the read buffer, whose first
// part is start. It takes only what is already buffered at each step, so
// it sees every byte as it arrives and refuses the line as soon as it is
// known to be over the limit, whatever the size of the read buffer.
func (c *Connection) readLongLine(start []byte, tooBig string) ([]byte, error) {
	long := append([]byte(nil), start...)
	for {
		// A line with no LF yet is too long once it holds MaxInlineLen+1
		// bytes, unless the last of them is the CR of its CRLF.
		if n := len(long); n > MaxInlineLen+1 || n == MaxInlineLen+1 && long[n-1] != '\r' {
			return nil, protocolError(tooBig)
		}
		if c.r.Buffered() == 0 {
			if _, err := c.r.Peek(1); err != nil {
				return nil, err
			}
		}
		more, _ := c.r.Peek(c.r.Buffered())
		if i := bytes.IndexByte(more, '\n'); i >= 0 {
			long = append(long, more[:i+1]...)
			c.r.Discard(i + 1)
			return long, nil
		}
		more = more[:min(len(more), MaxInlineLen+2-len(long))]
		long = append(long, more...)
		c.r.Discard(len(more))
	}
}

// readBulk reads n bytes of bulk data and the "\r\n" after them.
//
// Memory follows what arrives, never what was declared, so a client that
// declares 512 MiB and sends 3 bytes costs the server kilobytes. A value
// of up to bulkPiece bytes gets its exact size at once. A larger one
// first arrives in pieces that grow with it, until an eighth of it is in;
// then the rest is likely to follow, and the whole value is allocated
// once, at its exact size, and the pieces are copied into it. A value of
// n bytes thus costs about 1.125n in all, where a buffer that doubles as
// data arrives costs up to 2n: its old and new halves are both alive
// during the last copy.
func (c *Connection) readBulk(n int64) ([]byte, error) {
	var pieces [][]byte
	var got int64
	if n > bulkPiece {
		for got < n/8 {
			piece := make([]byte, min(max(got, bulkPiece), n/8-got))
			if _, err := io.ReadFull(c.r, piece); err != nil {
				return nil, err
			}
			pieces = append(pieces, piece)
			got += int64(len(piece))
		}
	}
	buf := make([]byte, n)
	off := 0
	for _, piece := range pieces {
		off += copy(buf[off:], piece)
	}
	if _, err := io.ReadFull(c.r, buf[off:]); err != nil {
		return nil, err
	}
	var crlf [2]byte
	if _, err := io.ReadFull(c.r, crlf[:]); err != nil {
		return nil, err
	}
	if crlf != [2]byte{'\r', '\n'} {
		return nil, protocolError("expected CRLF after bulk data")
	}
	return buf, nil
}

// bulkPiece is the largest bulk string read straight into a buffer of its
// declared size, and the smallest piece a larger one arrives in.
const bulkPiece = 16 << 10

// printable stands a space in for CR and LF, which would end an error
// reply early, as Redis does when it quotes a client's byte back to it.
func printable(b byte) byte {
	if b == '\r' || b == '\n' {
		return ' '
	}
	return b
}
