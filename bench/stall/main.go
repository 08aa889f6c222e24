// Command stall plays a hostile client against a Redis server: each of its
// connections declares a large SET value, sends only part of it and stops,
// so that 05-process/stall.sh can compare what the server then holds with
// what was sent.
//
// It opens -n connections, sends each one the start of a SET whose value
// is declared as -declared bytes followed by -sent bytes of it, and prints
// "stalled". After a line on its standard input it closes them all,
// prints "gone" and exits.
//
//	go run ./bench/stall -addr 127.0.0.1:6379 -n 16 -declared 536870912 -sent 68157440
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"net"
	"os"

	"golang.org/x/sync/errgroup"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "the server's `host:port`")
	n := flag.Int("n", 16, "how many connections stall")
	declared := flag.Int("declared", 512<<20, "the value's declared length, in `bytes`")
	sent := flag.Int("sent", 65<<20, "how many `bytes` of the value each connection sends")
	flag.Parse()
	if err := run(*addr, *n, *declared, *sent); err != nil {
		fmt.Fprintln(os.Stderr, "stall:", err)
		os.Exit(1)
	}
}

func run(addr string, n, declared, sent int) error {
	if sent > declared {
		return fmt.Errorf("-sent %d is more than -declared %d", sent, declared)
	}
	header := fmt.Sprintf("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n", declared)
	chunk := bytes.Repeat([]byte{'x'}, 1<<20)
	conns := make([]net.Conn, n)
	var g errgroup.Group
	for i := range conns {
		g.Go(func() error {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				return err
			}
			conns[i] = c
			if _, err := c.Write([]byte(header)); err != nil {
				return err
			}
			for left := sent; left > 0; left -= min(left, len(chunk)) {
				if _, err := c.Write(chunk[:min(left, len(chunk))]); err != nil {
					return err
				}
			}
			return nil
		})
	}
	err := g.Wait()
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()
	if err != nil {
		return err
	}
	fmt.Println("stalled")
	bufio.NewReader(os.Stdin).ReadString('\n')
	for i, c := range conns {
		c.Close()
		conns[i] = nil
	}
	fmt.Println("gone")
	return nil
}
