package miniredis

import (
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// debugServer starts a Listener on 127.0.0.1:0 whose connections answer
// every request with +OK, one goroutine each, and a debug server for it.
func debugServer(t *testing.T) (redisAddr, debugAddr string) {
	t.Helper()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ln := NewListener(inner)
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				c := NewConnection(conn)
				defer c.Close()
				for {
					if _, err := c.ReadFrame(); err != nil {
						return
					}
					if c.WriteFrame(Simple("OK")) != nil {
						return
					}
				}
			})
		}
	})
	srv, addr, err := serveDebug("127.0.0.1:0", false, ln)
	require.NoError(t, err)
	t.Cleanup(func() {
		srv.Close()
		ln.Close()
		wg.Wait()
	})
	return ln.Addr().String(), addr.String()
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET %s: %s", url, body)
	return string(body)
}

func TestDebug(t *testing.T) {
	t.Run("the counters and the goroutine profile show each connected client", func(t *testing.T) {
		redisAddr, debugAddr := debugServer(t)
		// Each client is answered once, so each has been accepted and its
		// goroutine is back in ReadFrame, waiting for the next request.
		for range 2 {
			c := miniredistest.Dial(t, redisAddr)
			c.Send(miniredistest.Command("PING"))
			c.Expect("+OK\r\n")
		}

		page := get(t, "http://"+debugAddr+"/")
		assert.Contains(t, page, "open connections  2\n")
		assert.Contains(t, page, "goroutines ")
		assert.Contains(t, page, "requests served ")

		// debug=1 groups goroutines by stack: "2 @ 0x..." heads the group
		// of the two connections' goroutines, parked in ReadFrame. A
		// goroutine that has just answered may not be back in ReadFrame
		// yet, so the profile is asked again until it is, within Timeout.
		parked := regexp.MustCompile(`(?m)^2 @ (?:0x[0-9a-f]+ ?)+\n(?:#.*\n)*#.*\(\*Connection\)\.ReadFrame`)
		var goroutines string
		for deadline := time.Now().Add(miniredistest.Timeout); time.Now().Before(deadline); {
			if goroutines = get(t, "http://"+debugAddr+"/debug/pprof/goroutine?debug=1"); parked.MatchString(goroutines) {
				break
			}
		}
		assert.Regexp(t, parked, goroutines)
	})

	t.Run("pprof is served from the debug server's own mux", func(t *testing.T) {
		_, debugAddr := debugServer(t)
		assert.Contains(t, get(t, "http://"+debugAddr+"/debug/pprof/"), "goroutine")
		resp, err := http.Get("http://" + debugAddr + "/no-such-page")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	})

	t.Run("an address beyond loopback is refused unless -debug-public says so", func(t *testing.T) {
		ln := NewListener(nil)
		for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:6060"} {
			_, _, err := serveDebug(addr, false, ln)
			if assert.Error(t, err, addr) {
				assert.Contains(t, err.Error(), "-debug-public", addr)
			}
		}
		srv, _, err := serveDebug("0.0.0.0:0", true, ln)
		require.NoError(t, err)
		srv.Close()
		for _, addr := range []string{"127.0.0.1:0", "localhost:0", "[::1]:0"} {
			if !isLoopback(strings.Trim(addr[:strings.LastIndex(addr, ":")], "[]")) {
				t.Errorf("%s is loopback", addr)
			}
		}
	})
}
