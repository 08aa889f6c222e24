//go:build unix

package miniredis

import (
	"io"
	"net"
	"os"
	"syscall"
)

// idleReader waits for a connection's next bytes without holding a read
// buffer, so that ten thousand idle clients do not cost ten thousand
// 16 KiB buffers. It does what net.Conn's Read does inside, through the
// socket's syscall.RawConn: try the read, and if nothing is there, let the
// runtime's poller park the goroutine until the socket is readable. The
// difference is that the buffer is taken from readBufs only for the try,
// and given back at once when the try finds nothing.
type idleReader struct {
	conn net.Conn
	raw  syscall.RawConn
	try  func(fd uintptr) bool // tryRead, made once rather than on every read

	// What the last try got.
	buf []byte
	n   int
	err error
}

// newIdleReader returns an idleReader for conn, or nil if conn is not a
// socket, such as one end of a net.Pipe; ReadFrame then reads as usual.
func newIdleReader(conn net.Conn) *idleReader {
	// A Listener's connection wraps the socket only to count its Close, so
	// reading from the socket itself is what reading from it would do.
	var sc syscall.Conn
	var ok bool
	if cc, isClient := conn.(*clientConn); isClient {
		sc, ok = cc.Conn.(syscall.Conn)
	} else {
		sc, ok = conn.(syscall.Conn)
	}
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	ir := &idleReader{conn: conn, raw: raw}
	ir.try = ir.tryRead
	return ir
}

// read waits until bytes arrive and returns them in a buffer from
// readBufs: at least one byte, or an error and no buffer.
func (ir *idleReader) read() ([]byte, int, error) {
	ir.buf, ir.n, ir.err = nil, 0, nil
	if err := ir.raw.Read(ir.try); err != nil {
		// The poller's error: a deadline, or the connection closed.
		return nil, 0, err
	}
	return ir.buf, ir.n, ir.err
}

// tryRead is called by RawConn.Read with the socket's descriptor, and
// again each time the socket turns readable for as long as it returns
// false.
func (ir *idleReader) tryRead(fd uintptr) bool {
	buf := readBufs.Get().(*[ReadBufferSize]byte)
	n, err := syscall.Read(int(fd), buf[:])
	for err == syscall.EINTR {
		n, err = syscall.Read(int(fd), buf[:])
	}
	if n > 0 {
		ir.buf, ir.n = buf[:], n
		return true
	}
	readBufs.Put(buf)
	switch {
	case err == syscall.EAGAIN:
		return false
	case err != nil:
		ir.err = &net.OpError{Op: "read", Net: ir.conn.LocalAddr().Network(),
			Source: ir.conn.LocalAddr(), Addr: ir.conn.RemoteAddr(), Err: os.NewSyscallError("read", err)}
	default:
		ir.err = io.EOF
	}
	return true
}
