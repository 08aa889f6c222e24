package miniredis

import (
	"errors"
	"fmt"
	"net"
	"syscall"
)

// Listen announces on the TCP address addr, like net.Listen("tcp", addr).
// When the address is taken it says what usually holds it and how to get
// past that; the error still matches syscall.EADDRINUSE with errors.Is.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf(`%w

%s is already taken. Usually that is one of two things:
  - another chapter's server is still running: stop it with Ctrl-C in its terminal;
  - a real Redis server is listening (6379 is its port): stop it with
    "redis-cli shutdown" or "sudo systemctl stop redis-server".
Or leave it running and choose another address: -addr 127.0.0.1:6380`, err, addr)
	}
	return ln, err
}
