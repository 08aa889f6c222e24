package miniredis

import (
	"bytes"
	"math"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFrameString(t *testing.T) {
	tests := []struct {
		name  string
		frame Frame
		want  string
	}{
		{"a simple string is quoted", Simple("OK"), `Simple("OK")`},
		{"an error is quoted", Error("ERR unknown command"), `Error("ERR unknown command")`},
		{"a negative integer keeps its sign", Integer(-42), `Integer(-42)`},
		{"a bulk string shows CR and LF as escapes", Bulk("a\r\nb"), `Bulk("a\r\nb")`},
		{"binary bulk bytes are escaped", Bulk{0x00, 0xff}, `Bulk("\x00\xff")`},
		{"null has no payload", Null{}, `Null`},
		{"an empty array has empty brackets", Array{}, `Array([])`},
		{
			"a command reads the way the tutorial's server logs it",
			Array{Bulk("set"), Bulk("hello"), Bulk("world")},
			`Array([Bulk("set"), Bulk("hello"), Bulk("world")])`,
		},
		{
			"nested arrays print inside one another",
			Array{Array{Integer(1)}, Null{}},
			`Array([Array([Integer(1)]), Null])`,
		},
		{"a nil element prints as <nil> instead of panicking", Array{nil}, `Array([<nil>])`},
		{
			"a long bulk string is cut short with a count of the rest",
			Bulk(strings.Repeat("a", 64) + "bcd"),
			`Bulk("` + strings.Repeat("a", 64) + `"... 3 more bytes)`,
		},
		{"a bulk string of exactly 64 bytes is shown whole", Bulk(strings.Repeat("a", 64)), `Bulk("` + strings.Repeat("a", 64) + `")`},
		{
			"a long array is cut short with a count of the rest",
			append(slices.Repeat(Array{Null{}}, 64), Integer(1), Integer(2)),
			"Array([" + strings.Repeat("Null, ", 64) + "... 2 more])",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.frame.String())
		})
	}
}

// recordingConn keeps a copy of every byte read through it, so a test can
// see the exact wire form of what a Connection parsed.
type recordingConn struct {
	net.Conn
	got bytes.Buffer
}

func (r *recordingConn) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.got.Write(p[:n])
	return n, err
}

// replyCases are the frames a server may send, with their RESP2 bytes.
var replyCases = []struct {
	name  string
	frame Frame
	wire  string
}{
	{"a simple string", Simple("OK"), "+OK\r\n"},
	{"an empty simple string", Simple(""), "+\r\n"},
	{"an error", Error("ERR unknown command"), "-ERR unknown command\r\n"},
	{"the integer zero", Integer(0), ":0\r\n"},
	{"a positive integer", Integer(42), ":42\r\n"},
	{"a negative integer", Integer(-1), ":-1\r\n"},
	{"the smallest int64", Integer(math.MinInt64), ":-9223372036854775808\r\n"},
	{"the largest int64", Integer(math.MaxInt64), ":9223372036854775807\r\n"},
	{"a bulk string", Bulk("hello"), "$5\r\nhello\r\n"},
	{"an empty bulk string", Bulk(""), "$0\r\n\r\n"},
	{"a binary bulk string holding CRLF", Bulk("a\r\nb\x00\xff"), "$6\r\na\r\nb\x00\xff\r\n"},
	{"a bulk string larger than the read buffer", Bulk(strings.Repeat("x", ReadBufferSize+1)),
		"$16385\r\n" + strings.Repeat("x", ReadBufferSize+1) + "\r\n"},
	{"null", Null{}, "$-1\r\n"},
	{"an empty array", Array{}, "*0\r\n"},
	{"an array of mixed frames", Array{Bulk("a"), Integer(1), Simple("b")}, "*3\r\n$1\r\na\r\n:1\r\n+b\r\n"},
	{
		"a nested array holding null and an empty array",
		Array{Array{Simple("a"), Error("b")}, Null{}, Array{}},
		"*3\r\n*2\r\n+a\r\n-b\r\n$-1\r\n*0\r\n",
	},
}

func TestRepliesGoFromServerToClientUnchanged(t *testing.T) {
	for _, tt := range replyCases {
		t.Run(tt.name+" is sent as its exact bytes and read back equal", func(t *testing.T) {
			serverConn, clientConn := tcpPair(t)
			rec := &recordingConn{Conn: clientConn}
			server := NewConnection(serverConn)
			client := newClientConnection(rec)

			// The write runs beside the read so that a frame larger than
			// the socket buffers cannot block the test.
			written := make(chan error, 1)
			go func() { written <- server.WriteFrame(tt.frame) }()
			got, err := client.ReadFrame()
			require.NoError(t, err)
			require.NoError(t, <-written)
			assert.Equal(t, tt.frame, got)
			// Nothing else was sent, so what the client read is exactly the
			// frame's wire form.
			assert.Equal(t, tt.wire, rec.got.String())
		})
	}
}

func TestClientReadsTheOtherFormsOfNull(t *testing.T) {
	tests := []struct {
		name string
		wire string
	}{
		{"a null array *-1 reads as Null", "*-1\r\n"},
		{"RESP3's null _ reads as Null", "_\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClientConnection(newMemConn([]byte(tt.wire)))
			got, err := c.ReadFrame()
			require.NoError(t, err)
			assert.Equal(t, Null{}, got)
		})
	}
}

func TestRequestsGoFromClientToServerUnchanged(t *testing.T) {
	big := strings.Repeat("v", 3*ReadBufferSize)
	tests := []struct {
		name  string
		frame Array
		wire  string
	}{
		{
			"SET hello world",
			Array{Bulk("set"), Bulk("hello"), Bulk("world")},
			"*3\r\n$3\r\nset\r\n$5\r\nhello\r\n$5\r\nworld\r\n",
		},
		{"a command with no arguments", Array{Bulk("PING")}, "*1\r\n$4\r\nPING\r\n"},
		{"an empty argument", Array{Bulk("get"), Bulk("")}, "*2\r\n$3\r\nget\r\n$0\r\n\r\n"},
		{
			"a binary argument holding CRLF and NUL",
			Array{Bulk("set"), Bulk("k"), Bulk("\r\n\x00*1\r\n")},
			"*3\r\n$3\r\nset\r\n$1\r\nk\r\n$7\r\n\r\n\x00*1\r\n\r\n",
		},
		{
			"an argument three times the read buffer",
			Array{Bulk("set"), Bulk("k"), Bulk(big)},
			"*3\r\n$3\r\nset\r\n$1\r\nk\r\n$49152\r\n" + big + "\r\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is read by the server as it was written", func(t *testing.T) {
			serverConn, clientConn := tcpPair(t)
			rec := &recordingConn{Conn: serverConn}
			server := NewConnection(rec)
			client := newClientConnection(clientConn)

			written := make(chan error, 1)
			go func() { written <- client.WriteFrame(tt.frame) }()
			got, err := server.ReadFrame()
			require.NoError(t, err)
			require.NoError(t, <-written)
			assert.Equal(t, tt.frame, got)
			assert.Equal(t, tt.wire, rec.got.String())
		})
	}
}
