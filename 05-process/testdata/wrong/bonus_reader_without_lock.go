// Wrong: the store locks in set but reads the map without the lock.
// Want: WARNING: DATA RACE
// Want: a reader locks too
// Replaces: shared_exercise.go
// Check: bonus
// Lines: 200: the race detector reports each pair of racing lines once, and a map read and written without a lock makes up to five (the map grows, too); go run ./workshop shows the first

//go:build bonus && exercise

package main

import "sync"

// store is one map shared by every connection: the first step of the Tokio
// tutorial's next chapter, "Shared state". Many connection goroutines call
// get and set at once, so mu guards m, the Mutex of Arc<Mutex<HashMap>>.
type store struct {
	mu sync.Mutex
	m  map[string][]byte
}

func newStore() *store {
	return &store{m: map[string][]byte{}}
}

// get returns the value of key. A reader locks too: a map read while
// another goroutine writes it is a data race.
func (s *store) get(key string) ([]byte, bool) {
	value, ok := s.m[key]
	return value, ok
}

// set stores value under key. The lock is held for the map alone, never
// while a connection reads or writes its socket.
func (s *store) set(key string, value []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = value
}
