package miniredis

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cmd builds a request frame from words.
func cmd(words ...string) Array {
	a := make(Array, len(words))
	for i, w := range words {
		a[i] = Bulk(w)
	}
	return a
}

func TestParseCommand(t *testing.T) {
	tests := []struct {
		name  string
		frame Frame
		want  Command
	}{
		{"GET key is a Get", cmd("GET", "k"), Get{Key: "k"}},
		{"get in lower case is a Get", cmd("get", "k"), Get{Key: "k"}},
		{"gEt in mixed case is a Get", cmd("gEt", "k"), Get{Key: "k"}},
		{"SET key value is a Set", cmd("SET", "k", "v"), Set{Key: "k", Value: []byte("v")}},
		{"set in lower case is a Set", cmd("set", "k", "v"), Set{Key: "k", Value: []byte("v")}},
		{"a SET value is kept as binary", cmd("Set", "k", "\x00\r\n\xff"), Set{Key: "k", Value: []byte("\x00\r\n\xff")}},
		{"an empty key is still a key", cmd("GET", ""), Get{Key: ""}},
		{
			"an unknown command keeps its name as sent and its arguments",
			cmd("Foo", "a", "b"),
			Unknown{Name: "Foo", Args: [][]byte{[]byte("a"), []byte("b")}},
		},
		{"an unknown command without arguments has none", cmd("FLUSHALL"), Unknown{Name: "FLUSHALL", Args: [][]byte{}}},
		{"PING is a Ping", cmd("ping"), Ping{}},
		{"PING with a message is a Ping that echoes it", cmd("PING", "hi"), Ping{Message: []byte("hi"), echo: true}},
		{"ECHO is an Echo", cmd("echo", "\x00hi"), Echo{Message: []byte("\x00hi")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCommand(tt.frame)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}

	// These error texts are redis-server 7.0.15's replies, byte for byte,
	// without the "-" and CRLF around them.
	errs := []struct {
		name  string
		frame Frame
		want  string
	}{
		{"GET without a key", cmd("GET"), "ERR wrong number of arguments for 'get' command"},
		{"GET with two keys", cmd("GET", "k", "v"), "ERR wrong number of arguments for 'get' command"},
		{"SET without arguments", cmd("SET"), "ERR wrong number of arguments for 'set' command"},
		{"SET without a value", cmd("sEt", "k"), "ERR wrong number of arguments for 'set' command"},
		{"SET with an extra argument", cmd("SET", "k", "v", "x"), "ERR syntax error"},
		{"SET with an option this package does not support", cmd("SET", "k", "v", "EX", "10"), "ERR syntax error"},
		{"PING with two messages", cmd("PING", "a", "b"), "ERR wrong number of arguments for 'ping' command"},
		{"ECHO without a message", cmd("ECHO"), "ERR wrong number of arguments for 'echo' command"},
		{"ECHO with two messages", cmd("Echo", "a", "b"), "ERR wrong number of arguments for 'echo' command"},
	}
	for _, tt := range errs {
		t.Run(tt.name+" is Redis's error", func(t *testing.T) {
			got, err := ParseCommand(tt.frame)
			assert.Nil(t, got)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}

	t.Run("PING is answered PONG, PING msg with msg, as Redis does", func(t *testing.T) {
		for frame, want := range map[*Array]Frame{
			{Bulk("PING")}:                 Simple("PONG"),
			{Bulk("PING"), Bulk("hello")}:  Bulk("hello"),
			{Bulk("PING"), Bulk(nil)}:      Bulk(nil),
			{Bulk("pInG"), Bulk("a\r\nb")}: Bulk("a\r\nb"),
		} {
			got, err := ParseCommand(*frame)
			require.NoError(t, err)
			assert.Equal(t, want, got.(Ping).Reply())
		}
	})

	notCommands := []struct {
		name  string
		frame Frame
	}{
		{"an empty array", Array{}},
		{"a frame that is not an array", Bulk("GET")},
		{"an array holding a non-bulk frame", Array{Bulk("GET"), Integer(1)}},
		{"nil", nil},
	}
	for _, tt := range notCommands {
		t.Run(tt.name+" is not a command", func(t *testing.T) {
			got, err := ParseCommand(tt.frame)
			assert.Nil(t, got)
			require.Error(t, err)
			// The text goes back to the client as an Error frame, so it
			// must read like a Redis error and fit on one line.
			assert.True(t, strings.HasPrefix(err.Error(), "ERR "), err.Error())
			assert.NoError(t, checkLine(err.Error()))
		})
	}
}

func TestUnknownReply(t *testing.T) {
	// Every want is what redis-server 7.0.15 sent for the same command,
	// without the "-" and CRLF around it.
	a, b, n := strings.Repeat("a", 200), strings.Repeat("b", 100), strings.Repeat("n", 200)
	tests := []struct {
		name string
		cmd  Unknown
		want string
	}{
		{
			"each argument is quoted and followed by a space",
			Unknown{Name: "foo", Args: [][]byte{[]byte("a"), []byte("b")}},
			"ERR unknown command 'foo', with args beginning with: 'a' 'b' ",
		},
		{
			"no arguments leaves the reply ending in a colon and a space",
			Unknown{Name: "foo"},
			"ERR unknown command 'foo', with args beginning with: ",
		},
		{
			"an empty argument is two quotes",
			Unknown{Name: "foo", Args: [][]byte{{}}},
			"ERR unknown command 'foo', with args beginning with: '' ",
		},
		{
			"an empty name is two quotes",
			Unknown{Name: ""},
			"ERR unknown command '', with args beginning with: ",
		},
		{
			"a long argument is cut to 128 bytes and the rest are dropped",
			Unknown{Name: "foo", Args: [][]byte{[]byte(a), []byte("b")}},
			"ERR unknown command 'foo', with args beginning with: '" + a[:128] + "' ",
		},
		{
			"arguments share 128 bytes, quotes and spaces included",
			Unknown{Name: "foo", Args: [][]byte{[]byte(a[:100]), []byte(b), []byte("c")}},
			"ERR unknown command 'foo', with args beginning with: '" + a[:100] + "' '" + b[:25] + "' ",
		},
		{
			"no argument is quoted once 128 bytes are used",
			Unknown{Name: "foo", Args: [][]byte{[]byte(a[:125]), []byte("bcd")}},
			"ERR unknown command 'foo', with args beginning with: '" + a[:125] + "' ",
		},
		{
			"a long name is cut to 128 bytes",
			Unknown{Name: n},
			"ERR unknown command '" + n[:128] + "', with args beginning with: ",
		},
		{
			"CR and LF in the name and arguments become spaces",
			Unknown{Name: "fo\r\no", Args: [][]byte{[]byte("x\ny")}},
			"ERR unknown command 'fo  o', with args beginning with: 'x y' ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.cmd.Reply()
			assert.Equal(t, Error(tt.want), got)
			assert.NoError(t, checkLine(string(got)), "the reply must be writable as an Error frame")
		})
	}

	t.Run("a parsed unknown command gives the same reply", func(t *testing.T) {
		c, err := ParseCommand(cmd("foo", "a", "b"))
		require.NoError(t, err)
		require.IsType(t, Unknown{}, c)
		assert.Equal(t, Error("ERR unknown command 'foo', with args beginning with: 'a' 'b' "), c.(Unknown).Reply())
	})
}
