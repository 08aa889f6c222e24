package main

import (
	"bufio"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"example.com/spawning/miniredis"
	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serveOneFrame is the server of 01-accept: it reads one frame, answers
// "unimplemented", and closes.
func serveOneFrame(ln net.Listener) error {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return err
		}
		c := miniredis.NewConnection(conn)
		if _, err := c.ReadFrame(); err == nil {
			c.WriteFrame(miniredis.Error("unimplemented"))
		}
		c.Close()
	}
}

// serveSetGet is the server of 05-process, in short: SET and GET on one
// map per connection, and Redis's error for anything else.
func serveSetGet(ln net.Listener) error {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return err
		}
		go func() {
			c := miniredis.NewConnection(conn)
			defer c.Close()
			db := map[string][]byte{}
			for {
				frame, err := c.ReadFrame()
				if err != nil {
					return
				}
				var reply miniredis.Frame
				cmd, err := miniredis.ParseCommand(frame)
				switch cmd := cmd.(type) {
				case nil:
					reply = miniredis.Error(err.Error())
				case miniredis.Set:
					db[cmd.Key] = cmd.Value
					reply = miniredis.Simple("OK")
				case miniredis.Get:
					reply = miniredis.Null{}
					if v, ok := db[cmd.Key]; ok {
						reply = miniredis.Bulk(v)
					}
				case miniredis.Unknown:
					reply = cmd.Reply()
				}
				c.WriteFrame(reply)
			}
		}()
	}
}

func TestAgainstAOneFrameServer(t *testing.T) {
	addr := miniredistest.Serve(t, serveOneFrame)

	t.Run("the miniredis client reports the server's error", func(t *testing.T) {
		_, err := withMiniredis(addr)
		var serverErr miniredis.ServerError
		require.ErrorAs(t, err, &serverErr)
		assert.Equal(t, "unimplemented", serverErr.Error())
	})

	t.Run("go-redis only sees the connection close after its handshake", func(t *testing.T) {
		_, err := withGoRedis(addr)
		assert.ErrorIs(t, err, io.EOF)
	})
}

func TestAgainstASetGetServer(t *testing.T) {
	addr := miniredistest.Serve(t, serveSetGet)
	bothClientsGetWorld(t, addr)
}

// TestAgainstRedis runs both clients against a real redis-server, when
// one is installed. REQUIRE_REDIS_TOOLS=1 (set by CI) turns the skip into
// a failure.
func TestAgainstRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a redis-server")
	}
	addr := startRedis(t, miniredistest.RedisTool(t, "redis-server"))
	bothClientsGetWorld(t, addr)
}

// bothClientsGetWorld runs hello-redis's SET and GET through each client
// against addr.
func bothClientsGetWorld(t *testing.T, addr string) {
	for _, tc := range []struct {
		client string
		run    func(string) ([]byte, error)
	}{
		{"miniredis", withMiniredis},
		{"go-redis", withGoRedis},
	} {
		t.Run(tc.client+" gets back the world it set", func(t *testing.T) {
			got, err := tc.run(addr)
			require.NoError(t, err)
			assert.Equal(t, "world", string(got))
		})
	}
}

// startRedis starts redis-server on a free loopback port, without
// persistence, and stops it when the test ends.
func startRedis(t *testing.T, path string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	cmd := exec.Command(path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir())
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})

	// redis-server says when it is ready to accept connections.
	ready := make(chan bool, 1)
	go func() {
		found := false
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			if !found && strings.Contains(scanner.Text(), "Ready to accept connections") {
				found = true
				ready <- true
			}
		}
		if !found {
			ready <- false
		}
	}()
	require.True(t, miniredistest.Receive(t, ready), "redis-server exited before it was ready")
	return "127.0.0.1:" + strconv.Itoa(port)
}
