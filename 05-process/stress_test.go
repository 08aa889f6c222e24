package main

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
)

// TestStress is the load a learner's laptop never puts on the server: a
// thousand go-redis clients at once, each doing a thousand SET and GET
// pairs on keys of its own and checking every value it reads back. It
// takes tens of seconds, so it runs only when asked:
//
//	STRESS=1 go test -run TestStress ./05-process
//
// TestMain's goleak check then proves that no goroutine outlived it.
func TestStress(t *testing.T) {
	if os.Getenv("STRESS") == "" {
		t.Skip("set STRESS=1 to run the stress test")
	}
	needProcess(t)
	clients, pairs := 1000, 1000
	if testing.Short() {
		pairs = 50
	}
	addr := start(t)
	ctx := t.Context()

	errs := make([]error, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			// A client of its own, so each goroutine has a connection of
			// its own: a thousand connections served at once.
			client := redis.NewClient(&redis.Options{Addr: addr, PoolSize: 1})
			defer client.Close()
			for j := range pairs {
				key, value := fmt.Sprintf("c%d:k%d", i, j%10), fmt.Sprintf("v%d-%d", i, j)
				if err := client.Set(ctx, key, value, 0).Err(); err != nil {
					errs[i] = fmt.Errorf("SET %s: %w", key, err)
					return
				}
				got, err := client.Get(ctx, key).Result()
				if err != nil || got != value {
					errs[i] = fmt.Errorf("GET %s: %q, %v; want %q", key, got, err, value)
					return
				}
			}
		})
	}
	wg.Wait()
	failed := 0
	for i, err := range errs {
		if err != nil && failed < 10 {
			assert.NoError(t, err, "client %d", i)
		}
		if err != nil {
			failed++
		}
	}
	assert.Zero(t, failed, "clients that failed")
}
