package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// fakeServer listens on 127.0.0.1:0 and answers every request it reads
// with reply, the way a Redis or a chapter server would answer INFO.
func fakeServer(t *testing.T, reply string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				// The request is one RESP array of two bulk strings: five lines.
				br := bufio.NewReader(conn)
				for range 5 {
					if _, err := br.ReadString('\n'); err != nil {
						return
					}
				}
				io.WriteString(conn, reply)
			}()
		}
	}()
	return ln.Addr().String()
}

func TestProbePort(t *testing.T) {
	info := "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n"
	for _, tc := range []struct {
		name  string
		reply string
		want  portState
	}{
		{"a real Redis answers INFO with its version", fmt.Sprintf("$%d\r\n%s\r\n", len(info), info), portRedis},
		{"a Redis that wants a password is a real Redis", "-NOAUTH Authentication required.\r\n", portRedis},
		{"a chapter server does not know INFO", "-ERR unknown command 'INFO', with args beginning with: 'server' \r\n", portOther},
		{"a server that answers something else is not Redis", "+OK\r\n", portOther},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, detail := probePort(fakeServer(t, tc.reply))
			if got != tc.want {
				t.Errorf("probePort = %v (%s), want %v", got, detail, tc.want)
			}
		})
	}

	t.Run("a port nobody listens on is free", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		if got, detail := probePort(addr); got != portFree {
			t.Errorf("probePort = %v (%s), want portFree", got, detail)
		}
	})

	t.Run("redis-server is recognised", func(t *testing.T) {
		if _, err := exec.LookPath("redis-server"); err != nil {
			// CI sets REQUIRE_REDIS_TOOLS=1 and installs redis-server: there
			// a missing one is a failure, as in the chapters' tests.
			if os.Getenv("REQUIRE_REDIS_TOOLS") == "1" {
				t.Fatal("redis-server is not on PATH, and REQUIRE_REDIS_TOOLS=1")
			}
			t.Skip("redis-server is not installed")
		}
		addr := startRedis(t)
		got, detail := probePort(addr)
		if got != portRedis || !strings.HasPrefix(detail, "redis_version ") {
			t.Errorf("probePort = %v (%s), want portRedis with its version", got, detail)
		}
	})
}

// startRedis runs redis-server on a free port, without saving anything, and
// returns its address once it says it is ready.
func startRedis(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()

	cmd := exec.CommandContext(t.Context(), "redis-server", "--port", port, "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "no")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// redis-server logs "Ready to accept connections" once it listens; it
	// exits (ending the scan) if it cannot.
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "Ready to accept connections") {
			go io.Copy(io.Discard, stdout)
			return "127.0.0.1:" + port
		}
	}
	t.Fatal("redis-server exited before it was ready")
	return ""
}

func TestAtLeast(t *testing.T) {
	for v, want := range map[string]bool{
		"go1.25.0": true, "go1.26.8": true, "go1.26rc1": true, "go2.0": true,
		"go1.24.9": false, "go1.9": false, "devel": false, "": false,
	} {
		if got := atLeast(v, 1, 25); got != want {
			t.Errorf("atLeast(%q, 1, 25) = %v, want %v", v, got, want)
		}
	}
}

func TestDoctor(t *testing.T) {
	// Only the go command on PATH: the redis tools are missing. A real
	// Redis holds the chapters' port.
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", filepath.Dir(goBin))

	var out bytes.Buffer
	r := course(t, &out)
	info := "# Server\r\nredis_version:7.0.15\r\n"
	r.addr = fakeServer(t, fmt.Sprintf("$%d\r\n%s\r\n", len(info), info))
	code := r.doctor(t.Context())
	got := out.String()
	t.Logf("output:\n%s", got)
	if code != 0 {
		t.Errorf("exit code %d, want 0: nothing essential is missing", code)
	}
	advice := adviceFor(runtime.GOOS)
	for _, want := range []string{
		"OK       go1.",
		"MISSING  redis-cli, ",
		"go run ./hello-redis -i does without it",
		"MISSING  redis-benchmark, ",
		advice.install[0] + "\n",
		"PROBLEM  " + r.addr + " is held by a real Redis (redis_version 7.0.15)",
		"stop it: " + advice.stopRedis + "\n",
		"OK       modules downloaded",
		"OK       the solutions build",
		// The fixture's 03-broken stub does not compile.
		"PROBLEM  the exercises build: go test -tags exercise -count=1 -run ^$ work failed:",
		"03-broken/exercise.go:7:9: cannot use 42",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if regexp.MustCompile(`(?m)^(OK|MISSING) +nc\b`).MatchString(got) {
		t.Errorf("output checks for nc, which go run ./hello-redis -i replaces")
	}
}

func TestAdviceFor(t *testing.T) {
	for goos, want := range map[string][]string{
		"linux":   {"sudo apt-get install redis-tools", "Not redis-server", "sudo systemctl stop redis-server", "sudo apt-get install gcc"},
		"darwin":  {"brew install redis", "brew services start redis", "brew services stop redis", "neither cgo nor a C compiler"},
		"windows": {"go run ./hello-redis -i", "nc is not needed", "WSL", "Services app", "mingw-w64 gcc"},
	} {
		a := adviceFor(goos)
		all := strings.Join(append(a.install, a.stopRedis, a.raceNeeds), "\n")
		for _, w := range want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: the advice lacks %q:\n%s", goos, w, all)
			}
		}
		if !strings.HasPrefix(a.stopRedis, "redis-cli shutdown") {
			t.Errorf("%s: stopping Redis does not start with redis-cli shutdown: %q", goos, a.stopRedis)
		}
		if goos != "linux" && strings.Contains(all, "apt-get") {
			t.Errorf("%s: the advice names apt-get:\n%s", goos, all)
		}
	}
}
