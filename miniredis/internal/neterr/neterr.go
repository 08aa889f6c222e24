// Package neterr tells apart the network errors that the servers and their
// tests treat in a way of their own: a connection reset, an address in
// use, no file descriptor left. errors.Is(err, syscall.ECONNRESET) answers
// that on Unix only: Windows fails with numbers of its own (WSAECONNRESET
// and the like), which no syscall.E* constant matches there.
package neterr

import (
	"errors"
	"slices"
	"syscall"
)

// IsConnReset reports whether err says that the connection was reset or
// aborted: the peer closed it with unread data, or with SO_LINGER 0. The
// net package counts the same errors as a broken connection.
func IsConnReset(err error) bool { return is(err, host.connReset) }

// IsAddrInUse reports whether err says that the address is already taken,
// as a second Listen on a port fails.
func IsAddrInUse(err error) bool { return is(err, host.addrInUse) }

// IsTooManyFiles reports whether err says that the process, or the system,
// has no file descriptor left, as Accept fails under a flood of clients.
func IsTooManyFiles(err error) bool { return is(err, host.tooManyFiles) }

// errnos are the system's numbers for each of those errors.
type errnos struct {
	connReset, addrInUse, tooManyFiles []syscall.Errno
}

// unixErrnos are Unix's numbers, which syscall names on every OS.
var unixErrnos = errnos{
	connReset:    []syscall.Errno{syscall.ECONNRESET, syscall.ECONNABORTED},
	addrInUse:    []syscall.Errno{syscall.EADDRINUSE},
	tooManyFiles: []syscall.Errno{syscall.EMFILE, syscall.ENFILE},
}

// windowsErrnos are Windows's numbers (winerror.h). They are here, not in
// a _windows.go file, so that their tests run on every OS. A read on a
// reset connection may also fail with ERROR_NETNAME_DELETED.
var windowsErrnos = errnos{
	connReset: []syscall.Errno{
		10054, // WSAECONNRESET
		10053, // WSAECONNABORTED
		64,    // ERROR_NETNAME_DELETED
	},
	addrInUse: []syscall.Errno{
		10048, // WSAEADDRINUSE
	},
	tooManyFiles: []syscall.Errno{
		10024, // WSAEMFILE
		4,     // ERROR_TOO_MANY_OPEN_FILES
	},
}

// is reports whether the first syscall.Errno in err's chain is one of want.
func is(err error, want []syscall.Errno) bool {
	var errno syscall.Errno
	return errors.As(err, &errno) && slices.Contains(want, errno)
}
