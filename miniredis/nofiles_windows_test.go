//go:build windows

package miniredis

import "syscall"

// errNoFiles is how Accept fails when the process has no socket left for
// the new connection: WSAEMFILE.
const errNoFiles syscall.Errno = 10024
