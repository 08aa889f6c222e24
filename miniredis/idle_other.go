//go:build !unix

package miniredis

import "net"

// idleReader is only on Unix; elsewhere a connection holds its read
// buffer while it waits, as a bufio.Reader would.
type idleReader struct{}

func newIdleReader(net.Conn) *idleReader { return nil }

func (*idleReader) read() ([]byte, int, error) { return nil, 0, nil }
