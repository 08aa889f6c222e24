package miniredis

import (
	"fmt"
	"strings"
)

// Frame is one RESP value: a request from a client or a reply from a
// server. It is one of Simple, Error, Integer, Bulk, Null or Array, the
// variants of mini-redis's Frame enum; a type switch takes it apart.
type Frame interface {
	fmt.Stringer
	frame()
}

// Simple is a short status reply such as OK, sent as "+OK\r\n".
type Simple string

// Error is an error reply such as "ERR unknown command", sent as
// "-ERR unknown command\r\n". By convention its first word names the kind.
type Error string

// Integer is a signed 64-bit number, sent as ":42\r\n".
type Integer int64

// Bulk is a binary-safe string, sent with its length first:
// "$5\r\nhello\r\n". Commands and their arguments travel as Bulk frames.
type Bulk []byte

// Null is the absence of a value, the reply to GET for a missing key.
// It is sent as RESP2's "$-1\r\n".
type Null struct{}

// Array is a list of frames. A client sends every command as an Array of
// Bulk frames: SET hello world is Array{Bulk("set"), Bulk("hello"), Bulk("world")}.
type Array []Frame

func (Simple) frame()  {}
func (Error) frame()   {}
func (Integer) frame() {}
func (Bulk) frame()    {}
func (Null) frame()    {}
func (Array) frame()   {}

// The String methods print a frame the way Rust's {:?} prints mini-redis's
// Frame, so a server log reads frame="Array([Bulk(\"set\"), Bulk(\"hello\")])".
// What a client sent can be large, so strings longer than maxShown bytes
// and arrays longer than maxShown elements are cut short, with a count of
// what was left out: a log line stays small whatever arrives.
const maxShown = 64

func (s Simple) String() string  { return "Simple(" + quote([]byte(s)) + ")" }
func (e Error) String() string   { return "Error(" + quote([]byte(e)) + ")" }
func (i Integer) String() string { return fmt.Sprintf("Integer(%d)", int64(i)) }
func (b Bulk) String() string    { return "Bulk(" + quote(b) + ")" }
func (Null) String() string      { return "Null" }

func (a Array) String() string {
	var sb strings.Builder
	sb.WriteString("Array([")
	for i, f := range a {
		if i > 0 {
			sb.WriteString(", ")
		}
		if i == maxShown {
			fmt.Fprintf(&sb, "... %d more", len(a)-maxShown)
			break
		}
		if f == nil {
			sb.WriteString("<nil>")
			continue
		}
		sb.WriteString(f.String())
	}
	sb.WriteString("])")
	return sb.String()
}

// quote quotes b as Go does, cutting it short after maxShown bytes.
func quote(b []byte) string {
	if len(b) <= maxShown {
		return fmt.Sprintf("%q", b)
	}
	return fmt.Sprintf("%q... %d more bytes", b[:maxShown], len(b)-maxShown)
}
