//go:build windows

package main

import (
	"os"
	"syscall"
)

// setConsoleMode is kernel32's SetConsoleMode, which the syscall package
// does not wrap.
var setConsoleMode = syscall.NewLazyDLL("kernel32.dll").NewProc("SetConsoleMode")

// enableVirtualTerminalProcessing is the console mode flag that makes a
// Windows console act on ANSI escape codes rather than print them.
const enableVirtualTerminalProcessing = 0x0004

// enableANSI turns on ANSI escape codes (colours, clearing the screen) in
// f's console and reports whether it took: Windows 10 and later consoles
// have them, but off until a program asks. A pipe, a file, or the terminal
// of Git Bash (mintty, a pipe to Go) is not a console: the runner writes
// plain text there.
func enableANSI(f *os.File) bool {
	h := syscall.Handle(f.Fd())
	var mode uint32
	if err := syscall.GetConsoleMode(h, &mode); err != nil {
		return false
	}
	if mode&enableVirtualTerminalProcessing != 0 {
		return true
	}
	ok, _, _ := setConsoleMode.Call(uintptr(h), uintptr(mode|enableVirtualTerminalProcessing))
	return ok != 0
}
