//go:build bonus && exercise

package main

// store is one map shared by every connection: the first step of the Tokio
// tutorial's next chapter, "Shared state". Many connection goroutines call
// get and set at once.
type store struct {
	// TODO: nothing stops two goroutines from using m at the same time,
	// and Go's maps are not safe for that: go test -race reports it. Add
	// a sync.Mutex that guards m, and hold it in get and set.
	m map[string][]byte
}

func newStore() *store {
	return &store{m: map[string][]byte{}}
}

// get returns the value of key.
func (s *store) get(key string) ([]byte, bool) {
	value, ok := s.m[key]
	return value, ok
}

// set stores value under key.
func (s *store) set(key string, value []byte) {
	s.m[key] = value
}
