//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package miniredis

import "syscall"

// openFilesLimit returns the process's limit on open file descriptors,
// which every connection takes one of, and false if it has none.
func openFilesLimit() (uint64, bool) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, false
	}
	// Go raises the soft limit to the hard one when a program starts, so
	// the soft limit is the one that holds. An unlimited one is a huge
	// number, which no count of clients reaches.
	return uint64(lim.Cur), lim.Cur < 1<<31
}
