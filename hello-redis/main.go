// Command hello-redis is the tutorial's client: it runs SET hello world,
// then GET hello, against a server and prints what comes back.
//
// By default it uses miniredis's small client, which sends exactly those
// two commands. With -client go-redis it uses go-redis v9 with its default
// options, which first sends HELLO and CLIENT SETINFO on every new
// connection, as real clients do.
//
// With -i it is an interactive client instead, in place of nc or redis-cli:
// it connects, then sends each line you type as a command and prints the
// reply. Until you type, it sends nothing: the silent client of 01-accept.
//
//	go run ./hello-redis                        # against 127.0.0.1:6379
//	go run ./hello-redis -addr 127.0.0.1:6380 -client go-redis
//	go run ./hello-redis -i                     # type SET hello world, GET hello, ...
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"example.com/spawning/miniredis"
	"github.com/redis/go-redis/v9"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "the server's `host:port`")
	client := flag.String("client", "miniredis", "the client library: miniredis or go-redis")
	interactive := flag.Bool("i", false, "type commands, one a line, and see each reply, as with redis-cli")
	flag.Parse()

	if *interactive {
		if err := interact(*addr, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "Error:", err)
			os.Exit(1)
		}
		return
	}

	var result []byte
	var err error
	switch *client {
	case "miniredis":
		result, err = withMiniredis(*addr)
	case "go-redis":
		result, err = withGoRedis(*addr)
	default:
		fmt.Fprintf(os.Stderr, "unknown -client %q: want miniredis or go-redis\n", *client)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "Error: %q\n", err.Error())
		os.Exit(1)
	}
	fmt.Printf("got value from the server; result=%q\n", result)
}

func withMiniredis(addr string) ([]byte, error) {
	client, err := miniredis.Dial(addr)
	if err != nil {
		return nil, err
	}
	defer client.Close()

	if err := client.Set("hello", []byte("world")); err != nil {
		return nil, err
	}
	return client.Get("hello")
}

func withGoRedis(addr string) ([]byte, error) {
	ctx := context.Background()
	client := redis.NewClient(&redis.Options{Addr: addr})
	defer client.Close()

	if err := client.Set(ctx, "hello", "world", 0).Err(); err != nil {
		return nil, err
	}
	result, err := client.Get(ctx, "hello").Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, errors.New("hello is not set")
	}
	return result, err
}
