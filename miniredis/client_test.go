package miniredis

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"

	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serveMap is the smallest server Client can talk to: SET and GET over
// one map shared by every connection, with Redis's replies.
func serveMap(t *testing.T) string {
	var mu sync.Mutex
	db := map[string][]byte{}
	return serveFrames(t, func(c *Connection) {
		for {
			f, err := c.ReadFrame()
			if err != nil {
				return
			}
			var reply Frame
			command, err := ParseCommand(f)
			mu.Lock()
			switch command := command.(type) {
			case nil:
				reply = Error(err.Error())
			case Set:
				db[command.Key] = command.Value
				reply = Simple("OK")
			case Get:
				if v, ok := db[command.Key]; ok {
					reply = Bulk(v)
				} else {
					reply = Null{}
				}
			case Unknown:
				reply = command.Reply()
			}
			mu.Unlock()
			if err := c.WriteFrame(reply); err != nil {
				return
			}
		}
	})
}

func dialClient(t *testing.T, addr string) *Client {
	t.Helper()
	client, err := Dial(addr)
	require.NoError(t, err)
	t.Cleanup(func() { client.Close() })
	return client
}

func TestClient(t *testing.T) {
	addr := serveMap(t)

	t.Run("a value set is the value got", func(t *testing.T) {
		client := dialClient(t, addr)
		require.NoError(t, client.Set("hello", []byte("world")))
		got, err := client.Get("hello")
		require.NoError(t, err)
		assert.Equal(t, []byte("world"), got)
	})

	t.Run("binary values survive the round trip", func(t *testing.T) {
		client := dialClient(t, addr)
		value := []byte("\x00\r\n$-1\r\n\xff")
		require.NoError(t, client.Set("bin", value))
		got, err := client.Get("bin")
		require.NoError(t, err)
		assert.Equal(t, value, got)
	})

	t.Run("a missing key is ErrNil", func(t *testing.T) {
		client := dialClient(t, addr)
		got, err := client.Get("missing")
		assert.ErrorIs(t, err, ErrNil)
		assert.Nil(t, got)
	})

	t.Run("a value set on one connection is seen on another", func(t *testing.T) {
		require.NoError(t, dialClient(t, addr).Set("shared", []byte("1")))
		got, err := dialClient(t, addr).Get("shared")
		require.NoError(t, err)
		assert.Equal(t, []byte("1"), got)
	})
}

func TestClientErrors(t *testing.T) {
	t.Run("an error reply is a ServerError holding its text", func(t *testing.T) {
		addr := serveFrames(t, func(c *Connection) {
			for {
				if _, err := c.ReadFrame(); err != nil {
					return
				}
				if err := c.WriteFrame(Error("unimplemented")); err != nil {
					return
				}
			}
		})
		client := dialClient(t, addr)

		err := client.Set("k", []byte("v"))
		var serr ServerError
		require.ErrorAs(t, err, &serr)
		assert.Equal(t, ServerError("unimplemented"), serr)
		assert.Equal(t, "unimplemented", err.Error())

		_, err = client.Get("k")
		assert.ErrorAs(t, err, &serr)
	})

	t.Run("a GET answered with an integer is an error naming the reply", func(t *testing.T) {
		addr := serveFrames(t, func(c *Connection) {
			if _, err := c.ReadFrame(); err == nil {
				c.WriteFrame(Integer(7))
			}
			// Wait for the client to leave before closing.
			c.ReadFrame()
		})
		_, err := dialClient(t, addr).Get("k")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "unexpected reply to GET: Integer(7)")
	})

	t.Run("a server that hangs up without replying is io.EOF", func(t *testing.T) {
		addr := serveFrames(t, func(c *Connection) { c.ReadFrame() })
		_, err := dialClient(t, addr).Get("k")
		assert.True(t, errors.Is(err, io.EOF), "got %v", err)
	})
}

func TestClientSendsOnlyTheCommand(t *testing.T) {
	// A raw server checks the exact bytes: no HELLO, no CLIENT SETINFO,
	// nothing before the command that was asked for.
	received := make(chan string, 1)
	addr := miniredistest.Serve(t, func(ln net.Listener) error {
		conn, err := ln.Accept()
		if err != nil {
			return err
		}
		defer conn.Close()
		want := miniredistest.Command("get", "k")
		got := make([]byte, len(want))
		_, err = io.ReadFull(conn, got)
		received <- string(got)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(conn, "$-1\r\n"); err != nil {
			return err
		}
		// Serve until the listener closes, so the client is not cut off.
		_, err = ln.Accept()
		return err
	})

	_, err := dialClient(t, addr).Get("k")
	assert.ErrorIs(t, err, ErrNil)
	assert.Equal(t, miniredistest.Command("get", "k"), <-received)
}

func TestClientDo(t *testing.T) {
	t.Run("a typed line is split as redis-cli splits it and sent as an array", func(t *testing.T) {
		received := make(chan string, 1)
		want := miniredistest.Command("SET", "greeting", "hello world")
		addr := miniredistest.Serve(t, func(ln net.Listener) error {
			conn, err := ln.Accept()
			if err != nil {
				return err
			}
			defer conn.Close()
			got := make([]byte, len(want))
			_, err = io.ReadFull(conn, got)
			received <- string(got)
			if err != nil {
				return err
			}
			if _, err := io.WriteString(conn, "+OK\r\n"); err != nil {
				return err
			}
			_, err = ln.Accept()
			return err
		})

		reply, err := dialClient(t, addr).Do(`SET greeting "hello world"`)
		require.NoError(t, err)
		assert.Equal(t, Simple("OK"), reply)
		assert.Equal(t, want, miniredistest.Receive(t, received))
	})

	t.Run("replies of every kind come back as frames, an error as a ServerError", func(t *testing.T) {
		client := dialClient(t, serveMap(t))
		reply, err := client.Do("set k v")
		require.NoError(t, err)
		assert.Equal(t, Simple("OK"), reply)
		reply, err = client.Do("get k")
		require.NoError(t, err)
		assert.Equal(t, Bulk("v"), reply)
		reply, err = client.Do("get missing")
		require.NoError(t, err)
		assert.Equal(t, Null{}, reply)
		_, err = client.Do("get")
		var serr ServerError
		assert.ErrorAs(t, err, &serr)
	})

	t.Run("a line that is not a command is refused before anything is sent", func(t *testing.T) {
		client := dialClient(t, serveMap(t))
		_, err := client.Do(`set k "v`)
		assert.ErrorIs(t, err, ErrNotACommand)
		assert.ErrorContains(t, err, "unbalanced quotes")
		_, err = client.Do("   ")
		assert.ErrorIs(t, err, ErrNotACommand)
		assert.ErrorContains(t, err, "the line is empty")
		// The connection is still in step: the next command gets its own reply.
		reply, err := client.Do("get k")
		require.NoError(t, err)
		assert.Equal(t, Null{}, reply)
	})
}
