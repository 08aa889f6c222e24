// Command conns holds many connections open to a Redis server, so that
// 05-process/bench.sh can measure what a connection costs the server, and
// compare 05-process with redis-server on the same load.
//
// It opens -n connections and prints "idle". After a line on its standard
// input, it sends one SET and one GET on each connection, checks the
// replies, and prints "used". After another line it closes them all and
// exits. Between the steps the script reads the server's memory.
//
//	go run ./bench/conns -addr 127.0.0.1:6379 -n 10000
//
// With -value-size, each SET stores a value of that many bytes, which the
// GET reads back: -n 1 -value-size 100000000 is one 100 MB SET.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "the server's `host:port`")
	n := flag.Int("n", 10_000, "how many connections to open")
	size := flag.Int("value-size", 3, "the size of each SET's value, in `bytes`")
	flag.Parse()
	if err := run(*addr, *n, *size); err != nil {
		fmt.Fprintln(os.Stderr, "conns:", err)
		os.Exit(1)
	}
}

func run(addr string, n, size int) error {
	stdin := bufio.NewScanner(os.Stdin)
	conns := make([]net.Conn, n)
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()

	// Dialling a few at a time keeps within the listen backlog of the
	// server, which would otherwise drop connections and make us retry.
	var g errgroup.Group
	g.SetLimit(64)
	for i := range conns {
		g.Go(func() error {
			c, err := net.Dial("tcp", addr)
			conns[i] = c
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	// A server past its client limit accepts, answers with an error and
	// closes; a ping shows which connections really are served.
	if err := each(conns, ping); err != nil {
		return err
	}
	fmt.Println("idle")
	stdin.Scan()

	value := bytes.Repeat([]byte{'x'}, size)
	if err := each(conns, func(i int, c net.Conn) error { return setGet(c, "key:"+strconv.Itoa(i), value) }); err != nil {
		return err
	}
	fmt.Println("used")
	stdin.Scan()
	return nil
}

// each calls f for every connection, a few at a time.
func each(conns []net.Conn, f func(int, net.Conn) error) error {
	var g errgroup.Group
	g.SetLimit(64)
	for i, c := range conns {
		g.Go(func() error { return f(i, c) })
	}
	return g.Wait()
}

// ping fails if the server refused the connection. Any other one-line
// reply shows it is served, even an older server's "unknown command".
func ping(_ int, c net.Conn) error {
	if _, err := c.Write(command("PING")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return fmt.Errorf("%s: %w", c.LocalAddr(), err)
	}
	if strings.HasPrefix(line, "-ERR max number of clients") {
		return fmt.Errorf("%s: %q", c.LocalAddr(), line)
	}
	return nil
}

func setGet(c net.Conn, key string, value []byte) error {
	if err := roundTrip(c, command("SET", key, string(value)), []byte("+OK\r\n")); err != nil {
		return err
	}
	want := append([]byte("$"+strconv.Itoa(len(value))+"\r\n"), value...)
	return roundTrip(c, command("GET", key), append(want, "\r\n"...))
}

// roundTrip sends request and fails unless the reply is exactly want.
func roundTrip(c net.Conn, request, want []byte) error {
	var g sync.WaitGroup
	var werr error
	// The request is written beside the read, so that a large value
	// cannot fill both sides' socket buffers and stall.
	g.Go(func() { _, werr = c.Write(request) })
	got := make([]byte, len(want))
	_, rerr := io.ReadFull(c, got)
	g.Wait()
	if werr != nil {
		return werr
	}
	if rerr != nil {
		return fmt.Errorf("%s: %w", c.LocalAddr(), rerr)
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%s: got %.60q, want %.60q", c.LocalAddr(), got, want)
	}
	return nil
}

// command encodes args as an array of bulk strings.
func command(args ...string) []byte {
	b := []byte("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b = append(b, "$"+strconv.Itoa(len(a))+"\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	return b
}
