package miniredis

import (
	"errors"
	"fmt"
	"net"
)

// ErrNil is what Client.Get returns for a key that is not set, like
// go-redis's redis.Nil.
var ErrNil = errors.New("miniredis: nil")

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
