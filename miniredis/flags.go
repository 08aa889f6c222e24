package miniredis

import (
	"flag"
	"fmt"
	"math"
	"strconv"
)

// MaxClientsFlag defines the -maxclients flag of the chapters' servers on
// the command line's flag set, and returns where flag.Parse puts its value.
// Like Redis's maxclients it must be at least 1: flag.Parse refuses 0 or
// a negative number, with Redis's words, before the server starts.
func MaxClientsFlag() *int {
	n := DefaultMaxClients
	usage := fmt.Sprintf("refuse clients past this `many` at once, at least 1 (default %d, lowered to fit ulimit -n)", DefaultMaxClients)
	flag.Func("maxclients", usage, func(s string) error {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 || v > math.MaxInt32 {
			return fmt.Errorf("argument must be between 1 and %d inclusive", math.MaxInt32)
		}
		n = v
		return nil
	})
	return &n
}
