package miniredis

import "example.com/spawning/miniredis/internal/neterr"

// IsConnReset reports whether err says that the peer reset the connection
// (or the system aborted it), on any OS: errors.Is(err, syscall.ECONNRESET)
// says so on Unix only, as Windows fails with WSAECONNRESET.
func IsConnReset(err error) bool { return neterr.IsConnReset(err) }

// IsAddrInUse reports whether err says that the address is already taken,
// on any OS: errors.Is(err, syscall.EADDRINUSE) says so on Unix only, as
// Windows fails with WSAEADDRINUSE.
func IsAddrInUse(err error) bool { return neterr.IsAddrInUse(err) }
