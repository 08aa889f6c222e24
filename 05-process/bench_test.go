package main

import (
	"testing"

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
