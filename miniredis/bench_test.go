package miniredis

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"example.com/spawning/miniredis/miniredistest"
)

// repeatReader returns data over and over, so a benchmark can read as many
// frames as it likes from one Connection without a socket.
type repeatReader struct {
	data []byte
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m := copy(p[n:], r.data[r.off:])
		n += m
		r.off = (r.off + m) % len(r.data)
	}
	return n, nil
}

func BenchmarkReadFrame(b *testing.B) {
	set := miniredistest.Command("set", "hello", "world")
	cases := []struct {
		name   string
		input  string
		frames int
	}{
		{"SET request", set, 1},
		{"GET request", miniredistest.Command("get", "hello"), 1},
		{"pipeline of 100 SET requests", strings.Repeat(set, 100), 100},
		{"inline SET request", "SET hello world\r\n", 1},
		{"SET request of a 1 MB value", miniredistest.Command("set", "k", strings.Repeat("v", 1_000_000)), 1},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			c := NewConnection(&memConn{r: &repeatReader{data: []byte(bc.input)}, w: io.Discard})
			b.SetBytes(int64(len(bc.input)))
			b.ReportAllocs()
			for b.Loop() {
				for range bc.frames {
					if _, err := c.ReadFrame(); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

func BenchmarkWriteFrame(b *testing.B) {
	cases := []struct {
		name  string
		frame Frame
	}{
		{"bulk reply of 1 KiB", Bulk(bytes.Repeat([]byte("x"), 1<<10))},
		{"simple OK reply, to SET", Simple("OK")},
		{"bulk reply of 5 bytes, to GET", Bulk("world")},
		{"array of three bulk strings", Array{Bulk("set"), Bulk("hello"), Bulk("world")}},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			var wire bytes.Buffer
			if err := NewConnection(&memConn{r: bytes.NewReader(nil), w: &wire}).WriteFrame(bc.frame); err != nil {
				b.Fatal(err)
			}
			// Nothing waits to be read, so every WriteFrame flushes, as it
			// does for a lone request.
			c := NewConnection(&memConn{r: bytes.NewReader(nil), w: io.Discard})
			b.SetBytes(int64(wire.Len()))
			b.ReportAllocs()
			for b.Loop() {
				if err := c.WriteFrame(bc.frame); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseCommand(b *testing.B) {
	cases := []struct {
		name  string
		frame Frame
	}{
		{"SET", Array{Bulk("SET"), Bulk("hello"), Bulk("world")}},
		{"GET", Array{Bulk("GET"), Bulk("hello")}},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseCommand(bc.frame); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestARequestCostsAtMostSixAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop buffers")
	}
	// What a server such as 05-process's does with each request: read it,
	// parse it, answer it. The GET's reply is a Bulk made from the stored
	// value, as a server makes it.
	value := []byte("world")
	cases := []struct {
		name    string
		request string
		reply   func(Command) Frame
	}{
		{"SET", miniredistest.Command("SET", "hello", "world"), func(Command) Frame { return Simple("OK") }},
		{"GET", miniredistest.Command("GET", "hello"), func(Command) Frame { return Bulk(value) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewConnection(&memConn{r: &repeatReader{data: []byte(tc.request)}, w: io.Discard})
			allocs := testing.AllocsPerRun(1000, func() {
				f, err := c.ReadFrame()
				if err != nil {
					t.Fatal(err)
				}
				cmd, err := ParseCommand(f)
				if err != nil {
					t.Fatal(err)
				}
				if err := c.WriteFrame(tc.reply(cmd)); err != nil {
					t.Fatal(err)
				}
			})
			t.Logf("%s: %v allocations per request", tc.name, allocs)
			if allocs > 6 {
				t.Errorf("a %s request cost %v allocations, more than 6", tc.name, allocs)
			}
		})
	}
}
