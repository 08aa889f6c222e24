package miniredis

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
)

// Connection reads and writes frames over a net.Conn, the counterpart of
// mini-redis's Connection. Reads go through a 16 KiB buffer and frames are
// parsed out of it, so two frames in one read and one frame over many
// reads both work.
//
// Replies are buffered too, and flushed by one rule: a reply is flushed
// before the connection would block waiting for the next request. A lone
// request is therefore answered at once, while a pipeline of requests that
// arrived together is answered with one write. In practice WriteFrame
// flushes when no more request bytes are waiting in the read buffer, and
// ReadFrame flushes whatever is left before it asks the socket for more.
//
// A Connection is not safe for concurrent use: one goroutine owns it.
type Connection struct {
	conn   net.Conn
	r      *bufio.Reader
	w      *bufio.Writer
	client bool  // reads replies (any frame) rather than requests
	err    error // the protocol error that ended reading, if any

	// mu guards the fields below, which CloseIdle reads from another
	// goroutine while the owner is blocked in ReadFrame.
	mu      sync.Mutex
	idle    bool // waiting for a request, with nothing of it received
	closing bool // CloseIdle was called: end at the next idle moment
	closed  bool // the net.Conn has been closed
}

// NewConnection returns a server's side of conn: ReadFrame reads requests,
// as Redis accepts them, and WriteFrame writes replies.
//
// A request is an Array of Bulk frames, or an inline command, a line of
// words such as "SET hello world" typed into nc or telnet. ReadFrame turns
// an inline command into the same Array, and skips empty lines and empty
// arrays, as Redis does.
func NewConnection(conn net.Conn) *Connection {
	// A new connection counts as idle: nothing of a request has arrived.
	c := &Connection{conn: conn, idle: true}
	c.r = bufio.NewReaderSize(flushingReader{c}, ReadBufferSize)
	c.w = bufio.NewWriterSize(conn, WriteBufferSize)
	return c
}

// newClientConnection returns a client's side of conn: ReadFrame reads
// replies, of any frame type, and a malformed reply is not answered.
func newClientConnection(conn net.Conn) *Connection {
	c := NewConnection(conn)
	c.client = true
	return c
}

// flushingReader is what the read buffer fills from. Going to the socket
// is the moment the connection may block, so buffered replies go out first.
type flushingReader struct{ c *Connection }

func (f flushingReader) Read(p []byte) (int, error) {
	if err := f.c.w.Flush(); err != nil {
		return 0, err
	}
	return f.c.conn.Read(p)
}

// ReadFrame returns the next frame. It returns io.EOF when the peer closed
// the connection cleanly between frames, and an error wrapping
// io.ErrUnexpectedEOF when it closed in the middle of one.
//
// A malformed request returns a *ProtocolError; a server Connection has
// already sent the client "-ERR Protocol error: <reason>" by then, and
// every later call returns the same error.
func (c *Connection) ReadFrame() (Frame, error) {
	if c.err != nil {
		return nil, c.err
	}
	for {
		if err := c.waitForFrame(); err != nil {
			return nil, err
		}
		var f Frame
		var err error
		if c.client {
			f, err = c.readReply(0)
		} else {
			f, err = c.readRequest()
		}
		if errors.Is(err, io.EOF) {
			err = fmt.Errorf("miniredis: connection closed in the middle of a frame: %w", io.ErrUnexpectedEOF)
		}
		var perr *ProtocolError
		if errors.As(err, &perr) {
			c.err = perr
			if !c.client {
				// The error is what Redis would send; a failure to send
				// it changes nothing, since the caller closes next.
				if c.writeFrame(Error("ERR "+perr.Error())) == nil {
					c.w.Flush()
				}
			}
		}
		if err != nil || f != nil {
			return f, err
		}
		// An empty line or an empty array: Redis ignores both.
	}
}

// waitForFrame returns once the first byte of a frame has arrived. A close
// before that byte is a clean end, io.EOF; a close after it is not.
// While it waits, the connection is idle and CloseIdle may end it.
func (c *Connection) waitForFrame() error {
	if c.r.Buffered() > 0 {
		return nil
	}
	// Replies go out before the connection is marked idle, so closing an
	// idle connection never loses one.
	if err := c.w.Flush(); err != nil {
		return err
	}
	if c.setIdle(true) {
		return io.EOF
	}
	_, err := c.r.Peek(1)
	if c.setIdle(false) {
		return io.EOF
	}
	return err
}

// setIdle records whether the connection is idle and reports whether
// CloseIdle has been called.
func (c *Connection) setIdle(idle bool) (closing bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.idle = idle
	return c.closing
}

// CloseIdle ends the connection at its next idle moment, when its owner
// waits in ReadFrame for a new request and no byte of one has arrived. If
// the connection is idle now, CloseIdle closes it at once; the waiting
// ReadFrame returns io.EOF. It reports whether the connection is closed
// when it returns: false means busy, to be closed when it turns idle. If a request is part-way in
// or being answered, the connection is left to finish: the requests that
// have arrived are read and can be answered, and the ReadFrame after them
// returns io.EOF instead of waiting for more. A server shutting down calls
// it on every connection, as net/http's Server.Shutdown closes idle ones.
//
// Unlike the other methods, CloseIdle may be called from any goroutine.
func (c *Connection) CloseIdle() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return true
	}
	c.closing = true
	if !c.idle {
		return false
	}
	c.closed = true
	c.conn.Close()
	return true
}

// Abort closes the connection at once, whatever it is doing: a server
// whose shutdown has waited long enough for a busy connection calls it. The
// owner's ReadFrame or WriteFrame, blocked or next, returns an error, and
// replies not yet written are lost. Like CloseIdle, Abort may be called
// from any goroutine; the owner still calls Close when it is done.
func (c *Connection) Abort() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closing = true
	if !c.closed {
		c.closed = true
		c.conn.Close()
	}
}

// WriteFrame writes f, then flushes unless another request is already
// waiting in the read buffer (see Connection).
func (c *Connection) WriteFrame(f Frame) error {
	// The whole frame is checked before any of it is buffered: an array
	// refused at its last element would otherwise leave its header and
	// first elements behind, to go out ahead of the next reply.
	if err := checkFrame(f); err != nil {
		return err
	}
	if err := c.writeFrame(f); err != nil {
		return err
	}
	if c.r.Buffered() > 0 {
		return nil
	}
	return c.w.Flush()
}

// RemoteAddr returns the address of the peer.
func (c *Connection) RemoteAddr() net.Addr { return c.conn.RemoteAddr() }

// Flush writes out any buffered replies.
func (c *Connection) Flush() error { return c.w.Flush() }

// Close flushes any buffered replies and closes the underlying net.Conn.
func (c *Connection) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	ferr := c.w.Flush()
	cerr := c.conn.Close()
	if cerr != nil {
		return cerr
	}
	return ferr
}

func (c *Connection) writeFrame(f Frame) error {
	switch f := f.(type) {
	case Simple:
		return c.writeLine('+', string(f))
	case Error:
		return c.writeLine('-', string(f))
	case Integer:
		return c.writeLength(':', int64(f))
	case Bulk:
		if err := c.writeLength('$', int64(len(f))); err != nil {
			return err
		}
		c.w.Write(f)
		_, err := c.w.WriteString("\r\n")
		return err
	case Null:
		_, err := c.w.WriteString("$-1\r\n")
		return err
	case Array:
		if err := c.writeLength('*', int64(len(f))); err != nil {
			return err
		}
		for _, elem := range f {
			if err := c.writeFrame(elem); err != nil {
				return err
			}
		}
		return nil
	default:
		return fmt.Errorf("miniredis: cannot write frame %#v", f)
	}
}

// checkFrame returns the error writeFrame would meet anywhere inside f.
func checkFrame(f Frame) error {
	switch f := f.(type) {
	case Simple:
		return checkLine(string(f))
	case Error:
		return checkLine(string(f))
	case Integer, Bulk, Null:
		return nil
	case Array:
		for _, elem := range f {
			if err := checkFrame(elem); err != nil {
				return err
			}
		}
		return nil
	default:
		return fmt.Errorf("miniredis: cannot write frame %#v", f)
	}
}

// checkLine refuses the text of a simple string or error that holds CR or
// LF. Those end at the first CRLF, so such text would corrupt the stream.
func checkLine(text string) error {
	if strings.ContainsAny(text, "\r\n") {
		return fmt.Errorf("miniredis: %q: simple strings and errors cannot hold CR or LF", text)
	}
	return nil
}

// writeLine writes a simple string or error.
func (c *Connection) writeLine(kind byte, text string) error {
	if err := checkLine(text); err != nil {
		return err
	}
	c.w.WriteByte(kind)
	c.w.WriteString(text)
	_, err := c.w.WriteString("\r\n")
	return err
}

func (c *Connection) writeLength(kind byte, n int64) error {
	// Formatting into the writer's own spare buffer costs no allocation.
	b := append(c.w.AvailableBuffer(), kind)
	b = strconv.AppendInt(b, n, 10)
	b = append(b, '\r', '\n')
	_, err := c.w.Write(b)
	return err
}
