// Command bare is the least a goroutine-per-connection server can do: one
// goroutine per connection reads whatever has arrived and answers "+OK"
// once for each '*' in it, in one write. It parses nothing, stores
// nothing and allocates nothing per request, so what it costs is the cost
// of Go's net package and scheduler alone. 05-process/bench.sh runs it in
// place of 05-process with SERVER=bench/bare, to show how much of the gap
// to Redis is left once miniredis and process do no work at all.
//
// Each '*' begins a request only for requests such as redis-benchmark's,
// whose keys and values hold no '*'. It answers GET with "+OK" too, a
// reply a little shorter than Redis's "$3\r\nxxx\r\n". It is a
// yardstick, not a server.
//
//	go run ./bench/bare -addr 127.0.0.1:6400
package main

import (
	"bytes"
	"flag"
	"fmt"
	"net"
	"os"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6400", "the `host:port` to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
	for {
		conn, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "bare:", err)
			os.Exit(1)
		}
		go serve(conn)
	}
}

func serve(conn net.Conn) {
	defer conn.Close()
	in := make([]byte, 16<<10)
	var out []byte
	for {
		n, err := conn.Read(in)
		if err != nil {
			return
		}
		out = out[:0]
		for range bytes.Count(in[:n], []byte("*")) {
			out = append(out, "+OK\r\n"...)
		}
		if _, err := conn.Write(out); err != nil {
			return
		}
	}
}
