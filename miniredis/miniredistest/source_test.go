package miniredistest_test

import (
	"net"
	"strings"
	"sync"
	"testing"

	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deferInLoop is the mistake NoDeferInLoop looks for.
func deferInLoop(ln net.Listener) error {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return err
		}
		defer conn.Close()
	}
}

// deferInLiteral defers in a function literal, whose defers run when the
// literal returns: no mistake.
func deferInLiteral(ln net.Listener) error {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer conn.Close()
		}()
	}
}

// goInGoroutine is the mistake NoGoInGoroutine looks for.
func goInGoroutine(ln net.Listener) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		conn, err := ln.Accept()
		if err != nil {
			return err
		}
		wg.Go(func() {
			go conn.Close()
		})
	}
}

func TestSourceChecks(t *testing.T) {
	for _, tt := range []struct {
		name  string
		check func(testing.TB, any)
		fn    any
		want  string // "" for no failure
	}{
		{"a defer in an accept loop", miniredistest.NoDeferInLoop, deferInLoop, "deferInLoop defers inside its loop (source_test.go:21)"},
		{"a defer in a function literal in the loop", miniredistest.NoDeferInLoop, deferInLiteral, ""},
		{"a go statement in a connection's goroutine", miniredistest.NoGoInGoroutine, goInGoroutine, "goInGoroutine starts a goroutine inside a connection's goroutine (source_test.go:49)"},
		{"a go statement in the accept loop itself", miniredistest.NoGoInGoroutine, deferInLiteral, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recordingTB{TB: t}
			runFailing(func() { tt.check(rec, tt.fn) })
			if tt.want == "" {
				assert.Empty(t, rec.failures())
				return
			}
			require.Len(t, rec.failures(), 1)
			assert.True(t, strings.HasPrefix(rec.failures()[0], tt.want), rec.failures()[0])
		})
	}
}
