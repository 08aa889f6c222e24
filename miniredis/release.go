package miniredis

import (
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// A client that leaves in the middle of a large value leaves its pieces
// behind as garbage. Go's runtime would hand that memory back to the
// operating system by itself, but only after its next collection, which a
// quiet server may not start for up to two minutes, and then a little at a
// time. A server that has just been sent hundreds of megabytes and then
// abandoned should not look as if it still holds them, so once such a
// client is gone the memory is collected and returned at once.

// releaseAbove is how many bytes of a value a client must abandon for the
// memory to be handed back at once.
const releaseAbove = 4 << 20

// releaseDelay gathers the clients that leave together, such as those of
// one program, into one collection.
const releaseDelay = 100 * time.Millisecond

var (
	releasePending atomic.Bool
	releases       sync.WaitGroup // releases scheduled and not done: tests wait on it
)

// abandoned is told how many bytes a value held when its client stopped
// sending it, and hands them back to the operating system if they are many.
// At most one release is pending at a time.
func abandoned(held int) {
	if held < releaseAbove || !releasePending.CompareAndSwap(false, true) {
		return
	}
	releases.Add(1)
	time.AfterFunc(releaseDelay, func() {
		defer releases.Done()
		// A value abandoned from now on schedules a release of its own.
		releasePending.Store(false)
		debug.FreeOSMemory()
	})
}
