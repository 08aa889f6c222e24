//go:build bonus

package main

import (
	"fmt"
	"net"
	"slices"
	"sync"
	"testing"

	"example.com/spawning/miniredis"
	"example.com/spawning/miniredis/miniredistest"
	"github.com/redis/go-redis/v9"
)

// startShared runs the chapter's server with one store shared by every
// connection. processShared is process with the store in place of the
// map each connection used to make for itself.
func startShared(t *testing.T) string {
	t.Helper()
	db := newStore()
	s := newServer(miniredistest.Timeout)
	s.handler = func(c *miniredis.Connection, client int) { processShared(c, db) }
	return miniredistest.Serve(t, func(ln net.Listener) error { return s.serve(t.Context(), ln) })
}

// processShared answers SET and GET from db, and everything else as
// process does.
func processShared(c *miniredis.Connection, db *store) {
	for {
		frame, err := c.ReadFrame()
		if err != nil {
			return
		}
		var response miniredis.Frame
		cmd, err := miniredis.ParseCommand(frame)
		if err != nil {
			response = miniredis.Error(err.Error())
		} else {
			switch cmd := cmd.(type) {
			case miniredis.Set:
				db.set(cmd.Key, cmd.Value)
				response = miniredis.Simple("OK")
			case miniredis.Get:
				if value, ok := db.get(cmd.Key); ok {
					response = miniredis.Bulk(value)
				} else {
					response = miniredis.Null{}
				}
			case miniredis.Ping:
				response = cmd.Reply()
			case miniredis.Unknown:
				response = cmd.Reply()
			}
		}
		if err := c.WriteFrame(response); err != nil {
			return
		}
	}
}

func TestBonusSharedStore(t *testing.T) {
	addr := startShared(t)
	ctx := t.Context()

	// A lock taken and never given back stalls every request after it;
	// this finds that in seconds, before fifty clients wait it out.
	if !t.Run("a value SET on one connection is read from another", func(t *testing.T) {
		a, b := miniredistest.Dial(t, addr), miniredistest.Dial(t, addr)
		a.Send(miniredistest.Command("set", "hello", "world"))
		a.ExpectSoon("+OK\r\n", "SET was not answered: is the store's lock taken and never given back?")
		b.Send(miniredistest.Command("get", "hello"))
		b.ExpectSoon("$5\r\nworld\r\n", "GET did not answer with the value another connection SET:",
			"is the store's lock taken and never given back?")
	}) {
		return
	}

	t.Run("fifty clients SET and GET at once, without a data race", func(t *testing.T) {
		// Under go test -race, a map used by several goroutines without a
		// lock is reported as a data race, and the test fails.
		const clients, rounds = 50, 20
		errs := make([]error, clients)
		var wg sync.WaitGroup
		for i := range clients {
			wg.Go(func() {
				client := redis.NewClient(&redis.Options{Addr: addr})
				defer client.Close()
				for r := range rounds {
					key, value := fmt.Sprint("k", i), fmt.Sprint(i, "-", r)
					if err := client.Set(ctx, key, value, 0).Err(); err != nil {
						errs[i] = err
						return
					}
					// Every client reads the key of the client before it too.
					if err := client.Get(ctx, fmt.Sprint("k", (i+1)%clients)).Err(); err != nil && err != redis.Nil {
						errs[i] = err
						return
					}
					if got, err := client.Get(ctx, key).Result(); err != nil || got != value {
						errs[i] = fmt.Errorf("GET %s: %q, %v; want %q", key, got, err, value)
						return
					}
				}
			})
		}
		wg.Wait()
		// Fifty clients failing alike are one mistake: say it once.
		failed := slices.DeleteFunc(slices.Clone(errs), func(err error) bool { return err == nil })
		if len(failed) > 0 {
			t.Fatalf("%d of %d clients failed; the first: %v", len(failed), clients, failed[0])
		}
		// By now a data race, if the race detector saw one, is the only way
		// this test can have failed.
		if t.Failed() {
			t.Error("the race detector saw two goroutines use the store's map at once (see its report): " +
				"hold the store's mutex in get and in set, with Lock in set (RLock lets other holders in); a reader locks too")
		}
	})
}
