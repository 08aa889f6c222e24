package miniredis

import (
	"bytes"
	"fmt"
	"math"
)

func protocolError(reason string) *ProtocolError { return &ProtocolError{Reason: reason} }

// parseWhole parses a request that has arrived whole in the read buffer,
// in one pass over it: the usual case of a client library's array of bulk
// strings, each copied once, straight out of the buffer. It handles
// well-formed requests only. For anything else, a request not yet whole,
// an inline one, an empty one, or anything malformed, it reports false,
// having consumed nothing, and readRequest reads it with every check and
// error Redis makes. The two must agree; FuzzParseWhole checks that they do.
func (c *Connection) parseWhole() (Array, bool) {
	b := c.in[c.r:c.w]
	n, i := wholeLength(b, '*')
	// Each element takes at least the 6 bytes of "$0\r\n\r\n", so a count
	// beyond that is not whole yet, and the array made below is never
	// larger than what has arrived.
	if n <= 0 || n > (len(b)-i)/6 {
		return nil, false
	}
	block, slab := c.block, c.slab
	req := c.newArray(n)
	for k := range req {
		size, j := wholeLength(b[i:], '$')
		end := i + j + size
		if size < 0 || end+2 > len(b) || b[end] != '\r' || b[end+1] != '\n' {
			// Not whole, or malformed: undo the copies and let readRequest
			// say which. The array and any new block or slab are garbage.
			c.block, c.slab = block, slab
			return nil, false
		}
		req[k] = Bulk(c.copyBulk(b[i+j : end]))
		i = end + 2
	}
	c.r += i
	return req, true
}

// wholeLength parses a length line such as "*3\r\n" or "$5\r\n" at the
// start of b, and returns the length and where the line ends. It accepts
// only what readLength accepts too: a number of at most 9 digits without a
// sign or a leading zero, then CRLF. Otherwise, it returns a negative
// length.
func wholeLength(b []byte, kind byte) (n, end int) {
	if len(b) < 4 || b[0] != kind || b[1] == '0' && b[2] != '\r' {
		return -1, 0
	}
	for i := 1; i < len(b) && i <= 10; i++ {
		d := b[i]
		if '0' <= d && d <= '9' {
			n = n*10 + int(d-'0')
			continue
		}
		if i == 1 || d != '\r' || i+1 == len(b) || b[i+1] != '\n' {
			return -1, 0
		}
		return n, i + 2
	}
	return -1, 0
}

// newArray returns an Array of n elements for a request. Arrays of short
// requests are cut from a slab, which a connection shares between them;
// each has its capacity capped at its length, so that appending to one
// can never overwrite the next.
func (c *Connection) newArray(n int) Array {
	const slabMin, slabMax = 16, 256
	if n > slabMax/8 {
		return make(Array, n)
	}
	if n > cap(c.slab)-len(c.slab) {
		c.slab = make([]Frame, 0, min(max(2*cap(c.slab), slabMin, n), slabMax))
	}
	start := len(c.slab)
	c.slab = c.slab[:start+n]
	return Array(c.slab[start : start+n : start+n])
}

// copyBulk returns a copy of data, which lies in the read buffer and will
// be overwritten. Small copies are cut from a block shared with the other
// small strings the connection reads, with their capacity capped as in
// newArray. A string kept, such as a value stored by SET, keeps its whole
// block in memory, so blocks stay small: at most 4 KiB.
func (c *Connection) copyBulk(data []byte) []byte {
	const blockMin, blockMax = 256, 4 << 10
	if len(data) > blockMin {
		return append(make([]byte, 0, len(data)), data...)
	}
	if c.block == nil || len(data) > cap(c.block)-len(c.block) {
		c.block = make([]byte, 0, min(max(2*cap(c.block), blockMin), blockMax))
	}
	start := len(c.block)
	c.block = append(c.block, data...)
	return c.block[start:len(c.block):len(c.block)]
}

// readRequest reads a request the way Redis does: '*' starts an array of
// bulk strings, and anything else is an inline command. It returns a nil
// Frame for input Redis ignores (an empty line, an empty array).
func (c *Connection) readRequest() (Frame, error) {
	first, err := c.peek()
	if err != nil {
		return nil, err
	}
	if first != '*' {
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
		kind, err := c.peek()
		if err != nil {
			return nil, err
		}
		if kind != '$' {
			return nil, protocolError(fmt.Sprintf("expected '$', got '%c'", printable(kind)))
		}
		size, err := c.readLength("too big bulk count string")
		if err != nil {
			return nil, err
		}
		if !size.ok || size.v < 0 || size.v > MaxBulkLen {
			return nil, protocolError("invalid bulk length")
		}
		data, err := c.readBulk(int(size.v))
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

func (c *Connection) readReply(depth int) (Frame, error) {
	if depth > MaxDepth {
		return nil, protocolError("too deeply nested reply")
	}
	kind, err := c.peek()
	if err != nil {
		return nil, err
	}
	switch kind {
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
		data, err := c.readBulk(int(n.v))
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
		return nil, protocolError(fmt.Sprintf("unexpected frame type '%c'", printable(kind)))
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
	// 19 digits hold every int64 and cannot overflow a uint64.
	if len(digits) == 0 || len(digits) > 19 || digits[0] == '0' && len(b) > 1 {
		return 0, false
	}
	var v uint64
	for _, d := range digits {
		if d < '0' || d > '9' {
			return 0, false
		}
		v = v*10 + uint64(d-'0')
	}
	if len(digits) < len(b) {
		// -(1<<63) is the one negative number whose magnitude is no int64.
		return -int64(v), v <= 1<<63
	}
	return int64(v), v <= math.MaxInt64
}

// peek returns the next byte without consuming it, waiting for it if need be.
func (c *Connection) peek() (byte, error) {
	if c.r == c.w {
		if err := c.fill(); err != nil {
			return 0, err
		}
	}
	return c.in[c.r], nil
}

// readLine returns the next line, without its "\n" or the "\r" before it.
// Only an inline request can be empty; every other line starts with the
// type byte its caller peeked. A line longer than MaxInlineLen is a
// protocol error with the reason tooBig, given as soon as its first byte
// too many arrives. The slice points into the read buffer, so it is valid
// only until the next read.
func (c *Connection) readLine(tooBig string) ([]byte, error) {
	for scanned := 0; ; {
		if i := bytes.IndexByte(c.in[c.r+scanned:c.w], '\n'); i >= 0 {
			end := c.r + scanned + i
			line := c.in[c.r:end]
			c.r = end + 1
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
			}
			if len(line) > MaxInlineLen {
				return nil, protocolError(tooBig)
			}
			return line, nil
		}
		// A line with no LF yet is too long once it holds MaxInlineLen+1
		// bytes, unless the last of them is the CR of its CRLF.
		scanned = c.w - c.r
		if scanned > MaxInlineLen+1 || scanned == MaxInlineLen+1 && c.in[c.w-1] != '\r' {
			return nil, protocolError(tooBig)
		}
		if err := c.fill(); err != nil {
			return nil, err
		}
	}
}

// readBulk reads n bytes of bulk data and the "\r\n" after them.
//
// Memory follows what arrives, never what was declared: a client that
// declares 512 MiB and sends 3 bytes costs the server kilobytes. A value
// that fits in the read buffer is gathered there, then copied out. A
// larger one arrives in pieces, each a quarter of what has arrived so far
// (16 KiB at the least), so that while it is coming in it holds at most
// 1.25 times its bytes, plus 16 KiB. Once the last byte is in, the pieces
// are copied into one slice of exactly n bytes, and become garbage. A
// client that stalls part-way holds only the pieces; if it leaves, they
// are handed back (see abandoned).
func (c *Connection) readBulk(n int) ([]byte, error) {
	var data []byte
	if n+2 <= ReadBufferSize {
		for c.w-c.r < n+2 {
			if err := c.fill(); err != nil {
				return nil, err
			}
		}
		data = c.copyBulk(c.in[c.r : c.r+n])
		c.r += n
	} else {
		var err error
		if data, err = c.readPieces(n); err != nil {
			return nil, err
		}
	}
	for c.w-c.r < 2 {
		if err := c.fill(); err != nil {
			return nil, err
		}
	}
	if c.in[c.r] != '\r' || c.in[c.r+1] != '\n' {
		return nil, protocolError("expected CRLF after bulk data")
	}
	c.r += 2
	return data, nil
}

// readPieces reads n bytes, more than the read buffer holds, into pieces
// that grow by a quarter of what has arrived, then joins them.
func (c *Connection) readPieces(n int) ([]byte, error) {
	var pieces [][]byte
	got := 0
	for got < n {
		piece := make([]byte, min(max(got/4, ReadBufferSize), n-got))
		if err := c.readFull(piece); err != nil {
			abandoned(got + len(piece))
			return nil, err
		}
		pieces = append(pieces, piece)
		got += len(piece)
	}
	if len(pieces) == 1 {
		return pieces[0], nil
	}
	data := make([]byte, 0, n)
	for i, piece := range pieces {
		data = append(data, piece...)
		pieces[i] = nil
	}
	return data, nil
}

// printable stands a space in for CR and LF, which would end an error
// reply early, as Redis does when it quotes a client's byte back to it.
func printable(b byte) byte {
	if b == '\r' || b == '\n' {
		return ' '
	}
	return b
}
