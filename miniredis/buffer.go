package miniredis

import (
	"io"
	"sync"
)

// This file holds the buffers under a Connection: how it lends them, fills
// the read buffer from the socket, and writes the write buffer out.

// The buffers connections lend each other. The pools hold pointers to
// arrays, which go in and out of an interface without an allocation.
var (
	readBufs  = sync.Pool{New: func() any { return new([ReadBufferSize]byte) }}
	writeBufs = sync.Pool{New: func() any { return new([WriteBufferSize]byte) }}
)

// fill reads more bytes from the socket into the read buffer, keeping
// those not yet parsed. It returns once at least one byte has arrived.
func (c *Connection) fill() error {
	// Going to the socket is the moment the connection may block, so
	// buffered replies go out first.
	if err := c.Flush(); err != nil {
		return err
	}
	if c.rerr != nil {
		err := c.rerr
		c.rerr = nil
		return err
	}
	if c.r == c.w {
		// Nothing is buffered: give the buffer back, and take one again
		// only once bytes are there to go in it.
		c.releaseIn()
		if c.idle != nil {
			buf, n, err := c.idle.read()
			if n > 0 {
				c.in, c.w = buf, n
				return nil
			}
			return err
		}
	}
	if c.in == nil {
		c.in = readBufs.Get().(*[ReadBufferSize]byte)[:]
	}
	if c.w == len(c.in) {
		if c.r > 0 {
			c.w = copy(c.in, c.in[c.r:c.w])
			c.r = 0
		} else {
			// Only a line over 16 KiB fills the buffer from its start;
			// readLine stops one at MaxInlineLen+2 bytes.
			bigger := make([]byte, min(2*len(c.in), MaxInlineLen+2))
			n := copy(bigger, c.in[c.r:c.w])
			c.releaseIn()
			c.in, c.w = bigger, n
		}
	}
	n, err := c.readSocket(c.in[c.w:])
	c.w += n
	return err
}

// readSocket reads into p from the socket, after flushing any replies. It
// returns at least one byte or an error; an error that came with bytes is
// kept for the next call.
func (c *Connection) readSocket(p []byte) (int, error) {
	if err := c.Flush(); err != nil {
		return 0, err
	}
	if c.rerr != nil {
		err := c.rerr
		c.rerr = nil
		return 0, err
	}
	// An io.Reader may return nothing and no error; bufio gives up after
	// 100 such reads in a row, and so do we.
	for range 100 {
		n, err := c.conn.Read(p)
		if n > 0 {
			c.rerr = err
			return n, nil
		}
		if err != nil {
			return 0, err
		}
	}
	return 0, io.ErrNoProgress
}

// releaseIn gives the read buffer back to readBufs, or to the garbage
// collector if it was made larger for a long line. Nothing may point into
// it afterwards: every frame copies what it keeps out of it.
func (c *Connection) releaseIn() {
	if len(c.in) == ReadBufferSize {
		readBufs.Put((*[ReadBufferSize]byte)(c.in))
	}
	c.in, c.r, c.w = nil, 0, 0
}

// readFull fills p with what is buffered, then with what arrives. Large
// remainders are read from the socket straight into p, not through the
// read buffer.
func (c *Connection) readFull(p []byte) error {
	for {
		n := copy(p, c.in[c.r:c.w])
		c.r += n
		p = p[n:]
		if len(p) == 0 {
			return nil
		}
		if len(p) < ReadBufferSize {
			if err := c.fill(); err != nil {
				return err
			}
			continue
		}
		n, err := c.readSocket(p)
		if err != nil {
			return err
		}
		p = p[n:]
	}
}

// room returns how many bytes the write buffer has free, taking a buffer
// from writeBufs if there is none. It is 0 once writing has failed.
func (c *Connection) room() int {
	if c.werr != nil {
		return 0
	}
	if c.out == nil {
		c.out = writeBufs.Get().(*[WriteBufferSize]byte)[:0]
	}
	return cap(c.out) - len(c.out)
}

// write copies p into the write buffer, and writes the buffer out each
// time it fills: the way for what may not fit in the room left.
func write[T ~string | ~[]byte](c *Connection, p T) {
	for len(p) > 0 && c.werr == nil {
		if c.room() == 0 {
			c.writeOut()
			continue
		}
		n := copy(c.out[len(c.out):cap(c.out)], p)
		c.out = c.out[:len(c.out)+n]
		p = p[n:]
	}
}

// writeOut writes the buffered replies to the socket and keeps the buffer.
func (c *Connection) writeOut() {
	if c.werr != nil || len(c.out) == 0 {
		return
	}
	_, c.werr = c.conn.Write(c.out)
	c.out = c.out[:0]
}
