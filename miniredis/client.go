package miniredis

import (
	"errors"
	"fmt"
	"net"
	"strconv"
)

// ErrNil is what Client.Get returns for a key that is not set, like
// go-redis's redis.Nil.
var ErrNil = errors.New("miniredis: nil")

// ErrNotACommand is what Client.Do returns, wrapped, for a line that
// holds no command, or whose quotes do not close; it sends nothing then.
var ErrNotACommand = errors.New("miniredis: not a command")

// ServerError is an error reply from the server, such as "unimplemented".
type ServerError string

func (e ServerError) Error() string { return string(e) }

// Client is a minimal Redis client, the counterpart of mini-redis's client.
// It sends plain RESP commands and nothing else: no HELLO, no CLIENT
// SETINFO. A server that reads one frame and replies gets exactly the
// command you asked for.
//
// A Client is not safe for concurrent use.
type Client struct {
	conn *Connection
}

// Dial connects to the Redis server at addr.
func Dial(addr string) (*Client, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &Client{conn: newClientConnection(conn)}, nil
}

// Set sets key to value.
func (c *Client) Set(key string, value []byte) error {
	_, err := c.do(Bulk("set"), Bulk(key), Bulk(value))
	return err
}

// Get returns the value of key, or ErrNil if key is not set.
func (c *Client) Get(key string) ([]byte, error) {
	reply, err := c.do(Bulk("get"), Bulk(key))
	if err != nil {
		return nil, err
	}
	switch reply := reply.(type) {
	case Bulk:
		return reply, nil
	case Null:
		return nil, ErrNil
	}
	return nil, fmt.Errorf("miniredis: unexpected reply to GET: %s", reply)
}

// Do sends a command written as one would type it at redis-cli, such as
// `SET greeting "hello world"`, and returns the reply. The line is split
// into words by Redis's rules for inline commands, quotes included, and
// sent as an array of bulk strings. An error reply is a ServerError.
func (c *Client) Do(line string) (Frame, error) {
	words, ok := splitArgs([]byte(line))
	switch {
	case !ok:
		return nil, fmt.Errorf("%w: unbalanced quotes in %s", ErrNotACommand, strconv.Quote(line))
	case len(words) == 0:
		return nil, fmt.Errorf("%w: the line is empty", ErrNotACommand)
	}
	args := make([]Frame, len(words))
	for i, w := range words {
		args[i] = Bulk(w)
	}
	return c.do(args...)
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// do sends one command and reads its reply; an Error reply becomes a
// ServerError.
func (c *Client) do(args ...Frame) (Frame, error) {
	if err := c.conn.WriteFrame(Array(args)); err != nil {
		return nil, err
	}
	reply, err := c.conn.ReadFrame()
	if err != nil {
		return nil, err
	}
	if e, ok := reply.(Error); ok {
		return nil, ServerError(e)
	}
	return reply, nil
}
