package miniredis

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
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
// Both buffers are lent from pools and held only while there is something
// in them: a connection waiting for its next request, the usual state of
// most connections, holds neither. On a TCP connection it waits for the
// socket to become readable before it takes a read buffer (see idleReader).
// buffer.go has the details, parse.go the parsing.
//
// A Connection is not safe for concurrent use: one goroutine owns it.
type Connection struct {
	conn   net.Conn
	client bool  // reads replies (any frame) rather than requests
	err    error // the protocol error that ended reading, if any

	// in[r:w] holds the bytes received and not yet parsed. in is nil, a
	// buffer from readBufs, or a larger one made for a line over 16 KiB.
	in   []byte
	r, w int
	rerr error       // an error that came with the last bytes read, for the next read
	idle *idleReader // waits for a request without a buffer; nil if conn cannot

	// out holds the replies not yet written: nil, or a buffer from
	// writeBufs. werr is the write error that ended writing, if any.
	out  []byte
	werr error

	// Small bulk strings are copied into blocks shared between them, and
	// requests' arrays are cut from a shared slab, so that an ordinary
	// request costs a handful of allocations rather than one per part.
	block []byte
	slab  []Frame

	noFastPath bool // tests set it to compare parseWhole with readRequest

	// mu guards the fields below, which CloseIdle reads from another
	// goroutine while the owner is blocked in ReadFrame.
	aborted atomic.Bool // Abort was called: read and write nothing more

	mu      sync.Mutex
	idling  bool // waiting for a request, with nothing of it received
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
	return &Connection{conn: conn, idling: true, idle: newIdleReader(conn)}
}

// newClientConnection returns a client's side of conn: ReadFrame reads
// replies, of any frame type, and a malformed reply is not answered.
func newClientConnection(conn net.Conn) *Connection {
	c := NewConnection(conn)
	c.client = true
	return c
}

// ReadFrame returns the next frame. It returns io.EOF when the peer closed
// the connection cleanly between frames, and an error wrapping
// io.ErrUnexpectedEOF when it closed in the middle of one.
//
// A malformed request returns a *ProtocolError; a server Connection has
// already sent the client "-ERR Protocol error: <reason>" by then, and
// every later call returns the same error. After any error, such as a
// deadline passing in the middle of a frame, the place in the stream is
// lost: close the connection rather than read on.
func (c *Connection) ReadFrame() (Frame, error) {
	if c.aborted.Load() {
		return nil, errAborted
	}
	if c.err != nil {
		return nil, c.err
	}
	c.note(TraceRead)
	for {
		if err := c.waitForFrame(); err != nil {
			return nil, err
		}
		if !c.client && !c.noFastPath {
			if req, ok := c.parseWhole(); ok {
				c.note(TraceRequest)
				return req, nil
			}
		}
		var f Frame
		var err error
		if c.client {
			f, err = c.readReply(0)
		} else {
			f, err = c.readRequest()
		}
		if err != nil {
			return nil, c.readFailed(err)
		}
		if f != nil {
			c.note(TraceRequest)
			return f, nil
		}
		// An empty line or an empty array: Redis ignores both.
	}
}

// readFailed turns an error met in the middle of a frame into the one
// ReadFrame returns. It is apart from ReadFrame so that the error values
// it inspects stay off the heap of a read that succeeds.
func (c *Connection) readFailed(err error) error {
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("miniredis: connection closed in the middle of a frame: %w", io.ErrUnexpectedEOF)
	}
	var perr *ProtocolError
	if errors.As(err, &perr) {
		c.err = perr
		if !c.client {
			// The error is what Redis would send; a failure to send it
			// changes nothing, since the caller closes next.
			if c.writeFrame(Error("ERR "+perr.Error())) == nil {
				c.Flush()
			}
		}
	}
	return err
}

// waitForFrame returns once the first byte of a frame has arrived. A close
// before that byte is a clean end, io.EOF; a close after it is not.
// While it waits, the connection is idle and CloseIdle may end it.
func (c *Connection) waitForFrame() error {
	if c.r < c.w {
		return nil
	}
	// Replies go out before the connection is marked idle, so closing an
	// idle connection never loses one.
	if err := c.Flush(); err != nil {
		return err
	}
	if c.setIdle(true) {
		return io.EOF
	}
	err := c.fill()
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
	c.idling = idle
	return c.closing
}

// CloseIdle ends the connection at its next idle moment, when its owner
// waits in ReadFrame for a new request and no byte of one has arrived. If
// the connection is idle now, CloseIdle closes it at once; the waiting
// ReadFrame returns io.EOF. It reports whether the connection is closed
// when it returns: false means busy, to be closed when it turns idle. If
// a request is part-way in or being answered, the connection is left to
// finish: the requests that have arrived are read and can be answered,
// and the ReadFrame after them returns io.EOF instead of waiting for more. A server shutting down calls
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
	if !c.idling {
		return false
	}
	c.closed = true
	c.conn.Close()
	return true
}

// errAborted is what ReadFrame and WriteFrame return after Abort.
var errAborted = fmt.Errorf("miniredis: connection aborted: %w", net.ErrClosed)

// Abort closes the connection at once, whatever it is doing: a server
// whose shutdown has waited long enough for a busy connection calls it. The
// owner's ReadFrame or WriteFrame, blocked or next, returns an error that
// matches net.ErrClosed, even with requests still buffered, and replies not
// yet written are lost. Like CloseIdle, Abort may be called from any
// goroutine; the owner still calls Close when it is done.
func (c *Connection) Abort() {
	c.aborted.Store(true)
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
	if c.aborted.Load() {
		return errAborted
	}
	// The whole frame is checked before any of it is buffered: an array
	// refused at its last element would otherwise leave its header and
	// first elements behind, to go out ahead of the next reply.
	if err := checkFrame(f); err != nil {
		return err
	}
	if err := c.writeFrame(f); err != nil {
		return err
	}
	c.note(TraceReply)
	if c.r < c.w {
		return nil
	}
	return c.Flush()
}

// RemoteAddr returns the address of the peer.
func (c *Connection) RemoteAddr() net.Addr { return c.conn.RemoteAddr() }

// Flush writes out any buffered replies, and gives the write buffer back.
func (c *Connection) Flush() error {
	if c.out != nil {
		c.writeOut()
		writeBufs.Put((*[WriteBufferSize]byte)(c.out[:WriteBufferSize]))
		c.out = nil
	}
	return c.werr
}

// Close flushes any buffered replies and closes the underlying net.Conn.
func (c *Connection) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	ferr := c.Flush()
	cerr := c.conn.Close()
	c.releaseIn()
	if cerr != nil {
		return cerr
	}
	return ferr
}

// writeFrame buffers f, which checkFrame has accepted. It returns the
// error that ended writing, if any.
func (c *Connection) writeFrame(f Frame) error {
	switch f := f.(type) {
	case Simple:
		c.writeLine('+', string(f))
	case Error:
		c.writeLine('-', string(f))
	case Integer:
		c.writeLength(':', int64(f))
	case Bulk:
		c.writeLength('$', int64(len(f)))
		switch {
		case len(f)+2 <= c.room():
			c.out = append(append(c.out, f...), '\r', '\n')
		case len(f) >= WriteBufferSize/2:
			// Large data goes to the socket as it is, after what is
			// buffered before it, rather than through the buffer.
			c.writeOut()
			if c.werr == nil {
				_, c.werr = c.conn.Write(f)
			}
			write(c, "\r\n")
		default:
			write(c, f)
			write(c, "\r\n")
		}
	case Null:
		write(c, "$-1\r\n")
	case Array:
		c.writeLength('*', int64(len(f)))
		for _, elem := range f {
			if err := c.writeFrame(elem); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("miniredis: cannot write frame %#v", f)
	}
	return c.werr
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
	// A loop beats strings.ContainsAny on the short texts replies are.
	for i := range len(text) {
		if text[i] == '\r' || text[i] == '\n' {
			return fmt.Errorf("miniredis: %q: simple strings and errors cannot hold CR or LF", text)
		}
	}
	return nil
}

// writeLine writes a simple string or error, whose text checkFrame has
// already checked.
func (c *Connection) writeLine(kind byte, text string) {
	if len(text)+3 <= c.room() {
		c.out = append(append(append(c.out, kind), text...), '\r', '\n')
		return
	}
	write(c, []byte{kind})
	write(c, text)
	write(c, "\r\n")
}

// writeLength writes a line such as "$5\r\n": a type byte and a number.
func (c *Connection) writeLength(kind byte, n int64) {
	const longest = len("*-9223372036854775808\r\n")
	if c.room() < longest {
		c.writeOut()
	}
	if c.werr == nil {
		c.out = append(strconv.AppendInt(append(c.out, kind), n, 10), '\r', '\n')
	}
}
