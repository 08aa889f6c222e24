// Command fair puts the same fair load on a server that 01-accept and
// 02-spawn can both answer: -clients clients at once, each opening a
// connection, sending one request and reading the reply, -rounds times
// over. It prints requests per second and latency percentiles, as a row of
// a Markdown table. 02-spawn/compare.sh runs it against both chapters.
//
//	go run ./bench/fair -addr 127.0.0.1:6379 -clients 50 -rounds 20
//
// With -idle, one more client connects first and says nothing for the
// whole run, as a slow or stuck client would. A request not answered
// within -timeout counts as timed out.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"sync"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "the server's `host:port`")
	clients := flag.Int("clients", 50, "clients at once")
	rounds := flag.Int("rounds", 20, "requests per client, each on a new connection")
	idle := flag.Bool("idle", false, "hold one silent connection open during the run")
	timeout := flag.Duration("timeout", time.Second, "how long a request may wait for its reply")
	label := flag.String("label", "", "the row's label")
	flag.Parse()

	if *idle {
		conn, err := net.Dial("tcp", *addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "fair:", err)
			os.Exit(1)
		}
		defer conn.Close()
	}

	var (
		mu        sync.Mutex
		latencies []time.Duration
		timedOut  int
		failed    int
	)
	start := time.Now()
	var wg sync.WaitGroup
	for range *clients {
		wg.Go(func() {
			for range *rounds {
				d, err := request(*addr, *timeout)
				mu.Lock()
				switch {
				case err == nil:
					latencies = append(latencies, d)
				case os.IsTimeout(err):
					timedOut++
				default:
					failed++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	slices.Sort(latencies)
	pct := func(p float64) string {
		if len(latencies) == 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f ms", float64(latencies[int(p*float64(len(latencies)-1))])/1e6)
	}
	fmt.Printf("| %s | %.0f | %s | %s | %s | %d | %d |\n", *label,
		float64(len(latencies))/elapsed.Seconds(), pct(0.5), pct(0.9), pct(0.99), timedOut, failed)
}

// request opens a connection, sends PING, and reads the reply, whatever it
// is: 01-accept and 02-spawn answer every request with an error, then
// close. It returns how long that took.
func request(addr string, timeout time.Duration) (time.Duration, error) {
	start := time.Now()
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	conn.SetDeadline(start.Add(timeout))
	if _, err := io.WriteString(conn, "*1\r\n$4\r\nPING\r\n"); err != nil {
		return 0, err
	}
	if _, err := io.ReadAll(conn); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}
