//go:build windows

package neterr

// host is the numbers this OS fails with.
var host = windowsErrnos
