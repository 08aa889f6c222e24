package main

import "sync"

// motd is a message of the day: built once, then only read.
type motd struct {
	hello map[string]string // "hello" by language
	text  string
}

// greetAll greets every name from a goroutine of its own, and all of them
// read the one *motd they were given: Go's counterpart of Arc. Tokio wants
// an Arc because each task must own what it uses; in Go a pointer is
// enough, because the garbage collector keeps m alive while any goroutine
// holds it. Nobody writes to m, so no lock is needed: any number of
// goroutines may read a map at once, as long as none writes to it.
func greetAll(m *motd, lang string, names []string) []string {
	greetings := make([]string, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			greetings[i] = m.hello[lang] + ", " + name + ". " + m.text
		})
	}
	wg.Wait()
	return greetings
}
