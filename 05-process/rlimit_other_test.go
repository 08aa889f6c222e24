//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package main

import (
	"errors"
	"runtime"
)

// hasOpenFilesLimit says whether this OS has a limit on open files for
// setOpenFilesLimit to lower: Windows has nothing like "ulimit -n".
const hasOpenFilesLimit = false

func setOpenFilesLimit(uint64) error {
	return errors.New("no limit on open files to set on " + runtime.GOOS)
}
