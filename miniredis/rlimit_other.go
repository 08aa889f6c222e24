//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package miniredis

// openFilesLimit reports no limit: Windows has no per-process limit on
// open sockets of the kind Unix's RLIMIT_NOFILE sets.
func openFilesLimit() (uint64, bool) { return 0, false }
