package main

import (
	"io"
	"net"
	"strings"
	"testing"

	"example.com/spawning/miniredis"
	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInteractive(t *testing.T) {
	t.Run("each line is a command, and each reply is shown as redis-cli shows it", func(t *testing.T) {
		addr := miniredistest.Serve(t, serveSetGet)
		in := strings.Join([]string{
			"SET hello world",
			"GET hello",
			"",
			"get nope",
			`SET greeting "hello world"`,
			"GET greeting",
			`SET k "unclosed`,
			"FROB",
		}, "\n") + "\n"
		var out strings.Builder
		require.NoError(t, interact(addr, strings.NewReader(in), &out))

		p := addr + "> "
		assert.Equal(t, "connected to "+addr+"; type a command such as SET hello world, then Enter.\n"+
			"Ctrl-D ends (on Windows, Ctrl-Z then Enter).\n"+
			p+"OK\n"+
			p+`"world"`+"\n"+
			p+
			p+"(nil)\n"+
			p+"OK\n"+
			p+`"hello world"`+"\n"+
			p+`(error) miniredis: not a command: unbalanced quotes in "SET k \"unclosed"`+"\n"+
			p+"(error) ERR unknown command 'FROB', with args beginning with: \n"+
			p+"\n", out.String())
	})

	t.Run("a server that closes the connection ends the session with an error", func(t *testing.T) {
		addr := miniredistest.Serve(t, serveOneFrame)
		var out strings.Builder
		err := interact(addr, strings.NewReader("PING\nPING\n"), &out)
		require.EqualError(t, err, "the server closed the connection")
		assert.Contains(t, out.String(), "> (error) unimplemented\n")
	})

	t.Run("it connects at once and sends nothing until a line is typed", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		t.Cleanup(func() { ln.Close() })
		accepted := make(chan net.Conn, 1)
		go func() {
			conn, err := ln.Accept()
			if err == nil {
				accepted <- conn
			}
		}()

		typed, typing := io.Pipe()
		var out strings.Builder
		done := make(chan error, 1)
		go func() { done <- interact(ln.Addr().String(), typed, &out) }()

		// The server has the connection while nothing is typed: a
		// sequential server now waits on this client.
		conn := miniredistest.Receive(t, accepted)
		t.Cleanup(func() { conn.Close() })
		go io.WriteString(typing, "PING\n")
		// The first bytes to arrive are the command typed, nothing before.
		want := miniredistest.Command("PING")
		got := make([]byte, len(want))
		_, err = io.ReadFull(conn, got)
		require.NoError(t, err)
		assert.Equal(t, want, string(got))
		_, err = io.WriteString(conn, "+PONG\r\n")
		require.NoError(t, err)

		typing.Close()
		require.NoError(t, miniredistest.Receive(t, done))
		assert.Contains(t, out.String(), "> PONG\n")
	})
}

func TestWriteReply(t *testing.T) {
	var out strings.Builder
	writeReply(&out, miniredis.Array{
		miniredis.Integer(7),
		miniredis.Array{miniredis.Bulk("a"), miniredis.Null{}},
		miniredis.Array{},
		miniredis.Error("ERR no"),
	}, "")
	assert.Equal(t, "1) (integer) 7\n"+
		"2) 1) \"a\"\n"+
		"   2) (nil)\n"+
		"3) (empty array)\n"+
		"4) (error) ERR no\n", out.String())
}
