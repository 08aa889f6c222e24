//go:build !windows

package miniredis

import "syscall"

// errNoFiles is how Accept fails when the process has no file descriptor
// left for the new connection.
const errNoFiles = syscall.EMFILE
