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

Something is already listening on %s. Usually it is one of these:
  - another chapter's server, still running in another terminal: press Ctrl-C there;
  - a real Redis server (6379 is its port): stop it with "redis-cli shutdown"
    or "sudo systemctl stop redis-server".
"ss -ltnp" shows which program holds the port. Or leave it running and pick
another port, for the server and its clients alike:
  -addr 127.0.0.1:6380 for this server and for hello-redis, -p 6380 for redis-cli`, err, addr)
	}
	return ln, err
}
