package neterr

import (
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// On this OS, with the errors its network calls really return.
func TestRealErrors(t *testing.T) {
	t.Run("a read on a connection the peer reset is a reset", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		t.Cleanup(func() { ln.Close() })
		client, err := net.Dial("tcp", ln.Addr().String())
		require.NoError(t, err)
		server, err := ln.Accept()
		require.NoError(t, err)
		t.Cleanup(func() { server.Close() })

		// Closing with SO_LINGER 0 makes the system send a reset.
		require.NoError(t, client.(*net.TCPConn).SetLinger(0))
		require.NoError(t, client.Close())
		_, err = server.Read(make([]byte, 1))
		require.Error(t, err)
		assert.True(t, IsConnReset(err), "got %#v", err)
		assert.False(t, IsAddrInUse(err))
		assert.False(t, IsTooManyFiles(err))
	})

	t.Run("a second listener on the same port finds the address in use", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		t.Cleanup(func() { ln.Close() })
		second, err := net.Listen("tcp", ln.Addr().String())
		if second != nil {
			second.Close()
		}
		require.Error(t, err)
		assert.True(t, IsAddrInUse(err), "got %#v", err)
		assert.False(t, IsConnReset(err))
	})

	t.Run("other errors are none of these", func(t *testing.T) {
		for _, err := range []error{nil, io.EOF, net.ErrClosed, os.ErrDeadlineExceeded, errors.New("reset")} {
			assert.False(t, IsConnReset(err), "%v", err)
			assert.False(t, IsAddrInUse(err), "%v", err)
			assert.False(t, IsTooManyFiles(err), "%v", err)
		}
	})
}

// On every OS, with Unix's and Windows's numbers wrapped as the net
// package wraps them: *net.OpError, then *os.SyscallError, then the number.
func TestErrnoTables(t *testing.T) {
	wrap := func(op, call string, errno syscall.Errno) error {
		return &net.OpError{Op: op, Net: "tcp", Err: os.NewSyscallError(call, errno)}
	}
	for _, tc := range []struct {
		os     string
		errnos errnos
		reset  error
		inUse  error
		noFile error
	}{
		{"unix", unixErrnos, wrap("read", "read", syscall.ECONNRESET),
			wrap("listen", "bind", syscall.EADDRINUSE), wrap("accept", "accept4", syscall.EMFILE)},
		{"windows", windowsErrnos, wrap("read", "wsarecv", 10054),
			wrap("listen", "bind", 10048), wrap("accept", "socket", 10024)},
	} {
		t.Run(tc.os, func(t *testing.T) {
			for _, errno := range tc.errnos.connReset {
				assert.True(t, is(wrap("read", "read", errno), tc.errnos.connReset), "%d is a reset", errno)
			}
			assert.True(t, is(tc.reset, tc.errnos.connReset))
			assert.False(t, is(tc.reset, tc.errnos.addrInUse))
			assert.False(t, is(tc.reset, tc.errnos.tooManyFiles))

			assert.True(t, is(tc.inUse, tc.errnos.addrInUse))
			assert.False(t, is(tc.inUse, tc.errnos.connReset))

			for _, errno := range tc.errnos.tooManyFiles {
				assert.True(t, is(wrap("accept", "accept", errno), tc.errnos.tooManyFiles), "%d is too many files", errno)
			}
			assert.True(t, is(tc.noFile, tc.errnos.tooManyFiles))
			assert.False(t, is(tc.noFile, tc.errnos.connReset))

			assert.False(t, is(io.EOF, tc.errnos.connReset))
			assert.False(t, is(nil, tc.errnos.connReset))
		})
	}

	t.Run("Windows's reset does not match syscall.ECONNRESET", func(t *testing.T) {
		reset := wrap("read", "wsarecv", 10054)
		assert.False(t, errors.Is(reset, syscall.ECONNRESET))
		assert.True(t, is(reset, windowsErrnos.connReset))
	})
}

func TestThisOSTable(t *testing.T) {
	want := unixErrnos
	if runtime.GOOS == "windows" {
		want = windowsErrnos
	}
	assert.Equal(t, want, host)
}
