package main

import (
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestArc(t *testing.T) {
	t.Run("many goroutines read one value through a pointer", func(t *testing.T) {
		m := &motd{hello: map[string]string{"en": "Hello", "fr": "Bonjour"}, text: "Welcome."}
		names := make([]string, 100)
		for i := range names {
			names[i] = fmt.Sprint("client", i)
		}

		greetings := greetAll(m, "fr", names)

		require.Len(t, greetings, len(names))
		for i, g := range greetings {
			assert.Equal(t, "Bonjour, "+names[i]+". Welcome.", g)
		}
	})

	t.Run("every connection goroutine logs through the server's one shared logger", func(t *testing.T) {
		var out miniredistest.Log
		shared := slog.New(slog.NewTextHandler(&out, nil)).With("server", "04-ownership")
		s := newServer(time.Second, shared)
		addr := miniredistest.Serve(t, func(ln net.Listener) error { return s.serve(t.Context(), ln) })

		a, b := miniredistest.Dial(t, addr), miniredistest.Dial(t, addr)
		a.Send(miniredistest.Command("get", "a"))
		b.Send(miniredistest.Command("get", "b"))
		// process logs the request before it replies, so once both replies
		// are in, both lines are in out.
		a.Expect("-unimplemented\r\n")
		b.Expect("-unimplemented\r\n")

		got := out.Lines()
		for _, c := range []*miniredistest.Conn{a, b} {
			remote := "remote=" + c.NetConn().LocalAddr().String()
			line := lineWith(got, remote)
			require.NotEmpty(t, line, "no log line for %s in:\n%s", remote, strings.Join(got, "\n"))
			assert.Contains(t, line, "server=04-ownership", "the shared logger's attribute")
			assert.Contains(t, line, "GOT: Array([Bulk(")
		}

		// Each connection derived a logger of its own with With; none of
		// them changed the shared one.
		shared.Info("after")
		lines := out.Lines()
		last := lines[len(lines)-1]
		assert.Contains(t, last, "msg=after server=04-ownership")
		assert.NotContains(t, last, "remote=")
	})
}

// lineWith returns the first line that contains s, or "".
func lineWith(lines []string, s string) string {
	for _, l := range lines {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}
