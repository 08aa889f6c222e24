package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"example.com/spawning/miniredis"
)

// interact connects to the server at addr, then reads commands from in,
// one per line, sends each, and writes each reply to out as redis-cli
// shows it. It sends nothing until a line is typed, so it is also the
// silent client that holds a sequential server. It returns nil when in
// ends, and an error if the server closes the connection first.
func interact(addr string, in io.Reader, out io.Writer) error {
	client, err := miniredis.Dial(addr)
	if err != nil {
		return err
	}
	defer client.Close()
	fmt.Fprintf(out, "connected to %s; type a command such as SET hello world, then Enter.\n", addr)
	fmt.Fprintln(out, "Ctrl-D ends (on Windows, Ctrl-Z then Enter).")

	lines := bufio.NewScanner(in)
	for {
		fmt.Fprint(out, addr+"> ")
		if !lines.Scan() {
			break
		}
		if strings.TrimSpace(lines.Text()) == "" {
			continue
		}
		reply, err := client.Do(lines.Text())
		var serverErr miniredis.ServerError
		switch {
		case err == nil:
			writeReply(out, reply, "")
		case errors.As(err, &serverErr):
			fmt.Fprintln(out, "(error)", serverErr.Error())
		case errors.Is(err, miniredis.ErrNotACommand):
			fmt.Fprintln(out, "(error)", err)
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), miniredis.IsConnReset(err):
			fmt.Fprintln(out)
			return errors.New("the server closed the connection")
		default:
			fmt.Fprintln(out)
			return err
		}
	}
	fmt.Fprintln(out)
	return lines.Err()
}

// writeReply writes reply as redis-cli does: a status as is, a string in
// quotes, (integer) and (nil) for those, and an array one numbered
// element per line.
func writeReply(out io.Writer, reply miniredis.Frame, indent string) {
	switch reply := reply.(type) {
	case miniredis.Simple:
		fmt.Fprintln(out, string(reply))
	case miniredis.Error:
		fmt.Fprintln(out, "(error)", string(reply))
	case miniredis.Integer:
		fmt.Fprintln(out, "(integer)", int64(reply))
	case miniredis.Bulk:
		fmt.Fprintln(out, strconv.Quote(string(reply)))
	case miniredis.Null:
		fmt.Fprintln(out, "(nil)")
	case miniredis.Array:
		if len(reply) == 0 {
			fmt.Fprintln(out, "(empty array)")
		}
		for i, f := range reply {
			if i > 0 {
				fmt.Fprint(out, indent)
			}
			n := strconv.Itoa(i+1) + ") "
			fmt.Fprint(out, n)
			writeReply(out, f, indent+strings.Repeat(" ", len(n)))
		}
	default:
		fmt.Fprintln(out, reply)
	}
}
