package main

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRc(t *testing.T) {
	const goroutines, times = 50, 100

	// addFromMany has every goroutine add "every" times times, and a word
	// of its own once.
	addFromMany := func(add func(string)) {
		var wg sync.WaitGroup
		for i := range goroutines {
			wg.Go(func() {
				for range times {
					add("every")
				}
				add(string(rune('A' + i%26)))
			})
		}
		wg.Wait()
	}

	t.Run("a map confined to its owner goroutine counts every word from many goroutines", func(t *testing.T) {
		o := newOwnedTally()
		t.Cleanup(o.close)
		addFromMany(o.add)
		assert.Equal(t, goroutines*times, o.count("every"))
		assert.Equal(t, 2, o.count("A"), "goroutines 0 and 26")
		assert.Equal(t, 1, o.count("Z"), "goroutine 25 only")
		assert.Equal(t, 0, o.count("missing"))
	})

	t.Run("a map guarded by a mutex counts every word from many goroutines", func(t *testing.T) {
		l := &lockedTally{t: tally{}}
		addFromMany(l.add)
		assert.Equal(t, goroutines*times, l.count("every"))
		assert.Equal(t, 2, l.count("A"), "goroutines 0 and 26")
		assert.Equal(t, 1, l.count("Z"), "goroutine 25 only")
	})
}
