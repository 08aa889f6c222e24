package main

import (
	"io"
	"net"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"example.com/spawning/miniredis/miniredistest"

	"github.com/redis/go-redis/v9"
)

// The benchmarks drive the server over real TCP with go-redis, so they
// measure the round trip a client sees: the client library, the loopback
// network and the server together. bench.sh compares the server with a
// real redis-server under redis-benchmark.

// BenchmarkSetGet runs one SET and one GET per op, each waiting for its
// reply before the next is sent.
func BenchmarkSetGet(b *testing.B) {
	client := newClient(b, start(b))
	ctx := b.Context()
	// The first command dials and does the HELLO handshake; keep that out
	// of the measurement.
	if err := client.Set(ctx, "key", "value", 0).Err(); err != nil {
		b.Fatal(err)
	}

	for b.Loop() {
		if err := client.Set(ctx, "key", "value", 0).Err(); err != nil {
			b.Fatal(err)
		}
		if err := client.Get(ctx, "key").Err(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(2*b.N)/b.Elapsed().Seconds(), "commands/s")
}

// BenchmarkPipeline sends 100 SETs per op in one pipeline: one write of
// requests, one read of replies.
func BenchmarkPipeline(b *testing.B) {
	const depth = 100
	client := newClient(b, start(b))
	ctx := b.Context()
	if err := client.Set(ctx, "key", "value", 0).Err(); err != nil {
		b.Fatal(err)
	}

	for b.Loop() {
		_, err := client.Pipelined(ctx, func(pipe redis.Pipeliner) error {
			for range depth {
				pipe.Set(ctx, "key", "value", 0)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(depth*b.N)/b.Elapsed().Seconds(), "commands/s")
}

// BenchmarkRequest sends raw RESP over one TCP connection and reads each
// reply into a buffer it reuses, so the client allocates nothing and the
// allocations reported are the server's own, per request. "pipelined 16"
// sends 16 requests per write, as redis-benchmark -P 16 does.
func BenchmarkRequest(b *testing.B) {
	cases := []struct {
		name    string
		request string
		reply   string
	}{
		{"SET", miniredistest.Command("SET", "key:000000000042", "xxx"), "+OK\r\n"},
		{"GET", miniredistest.Command("GET", "key:000000000042"), "$3\r\nxxx\r\n"},
	}
	for _, depth := range []int{1, 16} {
		for _, bc := range cases {
			name := bc.name
			if depth > 1 {
				name += " pipelined " + strconv.Itoa(depth)
			}
			b.Run(name, func(b *testing.B) {
				conn, err := net.Dial("tcp", start(b))
				if err != nil {
					b.Fatal(err)
				}
				defer conn.Close()
				// The key must hold a value for GET to return it.
				set := []byte(cases[0].request)
				request := []byte(strings.Repeat(bc.request, depth))
				reply := make([]byte, depth*len(bc.reply))
				if _, err := conn.Write(set); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(conn, reply[:len(cases[0].reply)]); err != nil {
					b.Fatal(err)
				}

				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				for b.Loop() {
					if _, err := conn.Write(request); err != nil {
						b.Fatal(err)
					}
					if _, err := io.ReadFull(conn, reply); err != nil {
						b.Fatal(err)
					}
				}
				if string(reply[:len(bc.reply)]) != bc.reply {
					b.Fatalf("got %q, want %q", reply[:len(bc.reply)], bc.reply)
				}
				// Counting mallocs across the loop, rather than with
				// ReportAllocs, gives the figure per request, whatever the
				// depth of the pipeline.
				runtime.ReadMemStats(&after)
				requests := float64(b.N * depth)
				b.ReportMetric(float64(after.Mallocs-before.Mallocs)/requests, "allocs/request")
				b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/requests, "B/request")
			})
		}
	}
}

// BenchmarkRedisBenchmark runs redis-benchmark against the server in this
// process, so that go test's -cpuprofile and -memprofile can show where
// the server spends its time under the load bench.sh measures:
//
//	go test -run '^$' -bench RedisBenchmark -benchtime 1x -cpuprofile cpu.out ./05-process
//	go tool pprof -top 05-process.test cpu.out
//
// Each op is one redis-benchmark run of 200,000 SETs and GETs from 50
// clients, pipelined 16 deep.
func BenchmarkRedisBenchmark(b *testing.B) {
	tool, err := exec.LookPath("redis-benchmark")
	if err != nil {
		b.Skip("redis-benchmark is not on PATH")
	}
	host, port, err := net.SplitHostPort(start(b))
	if err != nil {
		b.Fatal(err)
	}
	const requests = 200_000
	for b.Loop() {
		out, err := exec.Command(tool, "-h", host, "-p", port, "-t", "set,get",
			"-c", "50", "-n", strconv.Itoa(requests), "-P", "16", "-q").CombinedOutput()
		if err != nil {
			b.Fatalf("redis-benchmark: %v\n%s", err, out)
		}
	}
	b.ReportMetric(float64(2*requests*b.N)/b.Elapsed().Seconds(), "requests/s")
}
