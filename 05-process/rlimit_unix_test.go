//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package main

import "syscall"

// hasOpenFilesLimit says whether this OS has a limit on open files for
// setOpenFilesLimit to lower, as "ulimit -n" does.
const hasOpenFilesLimit = true

// setOpenFilesLimit sets this process's limit on open files to n.
func setOpenFilesLimit(n uint64) error {
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: n, Max: n})
}
