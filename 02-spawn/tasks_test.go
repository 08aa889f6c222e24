package main

import (
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A Tokio task is cheap enough to spawn one per connection; so is a
// goroutine. The test shows a hundred thousand of them alive at once, and
// the benchmarks measure what one costs. Run them with:
//
//	go test -run=^$ -bench=. -benchmem ./02-spawn

func TestGoroutinesAreLightweight(t *testing.T) {
	t.Run("a hundred thousand goroutines are alive at once", func(t *testing.T) {
		const n = 100_000
		before := memStats()

		release := make(chan struct{})
		var started, finished sync.WaitGroup
		started.Add(n)
		for range n {
			finished.Go(func() {
				started.Done()
				<-release
			})
		}
		started.Wait()

		// Every goroutine has signalled and none can return before release
		// is closed, so all of them are alive now.
		assert.GreaterOrEqual(t, runtime.NumGoroutine(), n)
		after := memStats()
		stack, total := perGoroutine(before, after, n)
		t.Logf("%d parked goroutines: %.0f bytes each, %.0f of them stack", n, total, stack)

		close(release)
		finished.Wait()
	})
}

// BenchmarkGoroutineMemory parks goroutines, ten thousand at a time so
// that a long run stays within a laptop's memory, and reports
// what each one holds: its stack (StackInuse) plus what it keeps on the
// heap (HeapAlloc): the runtime's record of the goroutine, its closure,
// and the runtime's note that it waits on the channel. Sys, what the
// process got from the OS, would also count memory the runtime reserved
// ahead of need, which is noisier.
//
// The stack is reported on its own because the runtime chooses its size:
// 2 KiB at least, more if the goroutines it scanned at the last garbage
// collection used more on average. And a finished goroutine's record is
// reused by the next one, so later batches allocate less on the heap.
func BenchmarkGoroutineMemory(b *testing.B) {
	const batch = 10_000
	var stack, total float64
	for parked := 0; parked < b.N; parked += batch {
		n := min(batch, b.N-parked)
		release := make(chan struct{})
		var started, finished sync.WaitGroup
		b.StopTimer()
		before := memStats()
		b.StartTimer()

		started.Add(n)
		for range n {
			finished.Go(func() {
				started.Done()
				<-release
			})
		}
		started.Wait()

		b.StopTimer()
		after := memStats()
		close(release)
		finished.Wait()
		s, t := perGoroutine(before, after, n)
		stack += s * float64(n)
		total += t * float64(n)
		b.StartTimer()
	}
	b.ReportMetric(total/float64(b.N), "B/goroutine")
	b.ReportMetric(stack/float64(b.N), "stack-B/goroutine")
}

// BenchmarkSpawnJoin measures starting a goroutine and waiting for it to
// finish, the Go counterpart of tokio::spawn followed by awaiting its
// JoinHandle.
func BenchmarkSpawnJoin(b *testing.B) {
	b.Run("channel", func(b *testing.B) {
		for b.Loop() {
			done := make(chan struct{})
			go func() { close(done) }()
			<-done
		}
	})
	b.Run("WaitGroup", func(b *testing.B) {
		var wg sync.WaitGroup
		for b.Loop() {
			wg.Go(func() {})
			wg.Wait()
		}
	})
}

// memStats collects garbage first, so that the heap figures count only
// what is still in use.
func memStats() runtime.MemStats {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}

// perGoroutine shares among n goroutines how much the stacks grew from
// before to after, and how much the stacks and the heap grew together.
func perGoroutine(before, after runtime.MemStats, n int) (stack, total float64) {
	stacks := int64(after.StackInuse) - int64(before.StackInuse)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	return float64(stacks) / float64(n), float64(stacks+heap) / float64(n)
}
