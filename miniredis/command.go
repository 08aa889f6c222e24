package miniredis

import (
	"errors"
	"fmt"
	"strings"
)

// Command is a parsed request: Get, Set, Ping, Echo or Unknown, the
// variants of mini-redis's Command enum. A type switch takes it apart.
type Command interface {
	command()
}

// Get is GET key.
type Get struct {
	Key string
}

// Set is SET key value. The options Redis's SET takes (EX, NX, ...) are
// not supported.
type Set struct {
	Key   string
	Value []byte
}

// Ping is PING [message], the first thing many people type into
// redis-cli. Reply gives Redis's answer.
type Ping struct {
	Message []byte // the message to echo, if echo is set
	echo    bool
}

// Reply is Redis's answer to PING: PONG, or the message it was given.
func (p Ping) Reply() Frame {
	if p.echo {
		return Bulk(p.Message)
	}
	return Simple("PONG")
}

// Echo is ECHO message. redis-cli --pipe ends what it sends with an ECHO
// and waits for the message to come back, to know every reply is in.
type Echo struct {
	Message []byte
}

// Reply is Redis's answer to ECHO: the message, as a bulk string.
func (e Echo) Reply() Frame { return Bulk(e.Message) }

// Unknown is any command this package does not know, kept whole so a
// server can say what it got.
type Unknown struct {
	Name string
	Args [][]byte
}

func (Get) command()     {}
func (Set) command()     {}
func (Ping) command()    {}
func (Echo) command()    {}
func (Unknown) command() {}

// ParseCommand turns a request frame into a Command. Names are
// case-insensitive. A known command with the wrong arguments is an error
// whose text is Redis's reply, ready to send back as an Error frame:
//
//	ERR wrong number of arguments for 'get' command
//
// None of these errors needs the connection closed.
func ParseCommand(f Frame) (Command, error) {
	arr, ok := f.(Array)
	if !ok || len(arr) == 0 {
		return nil, errNotCommand
	}
	for _, elem := range arr {
		if _, ok := elem.(Bulk); !ok {
			return nil, errNotCommand
		}
	}
	name, args := arr[0].(Bulk), arr[1:]
	switch {
	case equalFold(name, "get"):
		if len(args) != 1 {
			return nil, wrongArgs("get")
		}
		return Get{Key: string(args[0].(Bulk))}, nil
	case equalFold(name, "set"):
		if len(args) < 2 {
			return nil, wrongArgs("set")
		}
		if len(args) > 2 {
			return nil, errors.New("ERR syntax error")
		}
		return Set{Key: string(args[0].(Bulk)), Value: args[1].(Bulk)}, nil
	case equalFold(name, "ping"):
		if len(args) > 1 {
			return nil, wrongArgs("ping")
		}
		if len(args) == 1 {
			return Ping{Message: args[0].(Bulk), echo: true}, nil
		}
		return Ping{}, nil
	case equalFold(name, "echo"):
		if len(args) != 1 {
			return nil, wrongArgs("echo")
		}
		return Echo{Message: args[0].(Bulk)}, nil
	}
	u := Unknown{Name: string(name), Args: make([][]byte, len(args))}
	for i, arg := range args {
		u.Args[i] = arg.(Bulk)
	}
	return u, nil
}

// equalFold reports whether name is lower, a lower-case command name, in
// any mix of cases. Command names are ASCII, so unlike strings.ToLower it
// needs neither Unicode nor a new string.
func equalFold(name []byte, lower string) bool {
	if len(name) != len(lower) {
		return false
	}
	for i, b := range name {
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if b != lower[i] {
			return false
		}
	}
	return true
}

var errNotCommand = errors.New("ERR a command is a non-empty array of bulk strings")

func wrongArgs(name string) error {
	return fmt.Errorf("ERR wrong number of arguments for '%s' command", name)
}

// Reply is Redis 7's answer to a command it does not know. Like Redis, it
// quotes at most 128 bytes of the name and of the arguments, and turns CR
// and LF into spaces so the reply stays one line.
func (u Unknown) Reply() Error {
	var args strings.Builder
	for _, a := range u.Args {
		if args.Len() >= 128 {
			break
		}
		fmt.Fprintf(&args, "'%s' ", truncate(a, 128-args.Len()))
	}
	msg := fmt.Sprintf("ERR unknown command '%s', with args beginning with: %s",
		truncate([]byte(u.Name), 128), args.String())
	return Error(strings.NewReplacer("\r", " ", "\n", " ").Replace(msg))
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
