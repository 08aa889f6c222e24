#!/usr/bin/env bash
# bench.sh compares this chapter's server with a real redis-server under
# the same load, in one run, and prints:
#
#   1. requests/s under redis-benchmark -t set,get -c 50 -n REQUESTS, one
#      request at a time (-P 1) and pipelined 16 deep (-P 16), for each
#      server and as a ratio, over ROUNDS rounds that alternate which
#      server goes first, so that neither always meets a cooler machine;
#   2. the memory each of CONNS connections costs each server, idle and
#      after one SET and one GET each, from the growth of the server's RSS
#      while bench/conns holds the connections open;
#   3. each server's peak RSS while it stores one BIG_VALUE-byte value
#      (100 MB unless set).
#
# It needs redis-server and redis-benchmark on PATH. From the repository
# root:
#
#	bash 05-process/bench.sh
#	ROUNDS=3 REQUESTS=100000 CONNS=2000 bash 05-process/bench.sh
#
# redis-benchmark runs on the first core and the servers on the others, so
# that the client never takes a core from the server it measures; a Go
# server then sees only the cores it may use, and sizes its GOMAXPROCS to
# them. PIN=0 lets the client and the servers share every core instead.
#
# CPU time comes in clock ticks of 10 ms, so the CPU per request at -P 16
# means little with REQUESTS below 100000. GO_PORT and REDIS_PORT choose
# the ports (6400 and 6401).
#
# SERVER=bench/bare puts bench/bare, a server that parses nothing, in
# 05-process's place, to show what Go's runtime alone costs on this
# machine. The script then stops after the requests/s: bench/conns checks
# every reply, which only 05-process gives.
set -euo pipefail
cd "$(dirname "$0")/.."

server=${SERVER:-05-process}
pin=${PIN:-1}
name=$(basename "$server")
go_port=${GO_PORT:-6400}
redis_port=${REDIS_PORT:-6401}
requests=${REQUESTS:-200000}
rounds=${ROUNDS:-2}
conns=${CONNS:-10000}
big=${BIG_VALUE:-100000000}

tmp=$(mktemp -d)
pids=()
stop() {
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap stop EXIT
# A signal, or a closed pipe such as `| head`, still stops the servers.
trap "exit 1" INT TERM HUP PIPE

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

for port in "$go_port" "$redis_port"; do
	if listening "$port"; then
		echo "port $port is already in use; choose others with GO_PORT and REDIS_PORT" >&2
		exit 1
	fi
done

# Each server and each client holds one descriptor per connection.
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt $((conns + 100)) ]; then
	conns=$(($(ulimit -Hn) - 100))
	echo "the descriptor limit allows only $conns connections" >&2
fi
ulimit -n $((conns + 100))

go build -o "$tmp/server" "./$server"

# A command after "${on_client[@]}" or "${on_servers[@]}" runs on the
# client's core or the servers' cores; with PIN=0, or one core, or no
# taskset, both are empty. (Prefixes rather than functions: a function
# run with & would put a subshell's pid in $!, not the server's.)
cores=$(nproc)
ncores="$cores cores"
[ "$cores" = 1 ] && ncores="1 core"
placement="client and servers share $ncores"
on_client=()
on_servers=()
if [ "$pin" != 0 ] && [ "$cores" -ge 2 ] && command -v taskset >/dev/null; then
	# The CPUs this script may use, one by one: "0-3,6" gives 0 1 2 3 6.
	mapfile -t cpus < <(for range in $(taskset -c -p $$ | sed 's/.*: //' | tr ',' ' '); do
		seq "${range%-*}" "${range#*-}"
	done)
	first=${cpus[0]}
	rest=$(IFS=,; echo "${cpus[*]:1}")
	placement="redis-benchmark on CPU $first, the servers on CPU $rest (PIN=0 shares them all)"
	on_client=(taskset -c "$first")
	on_servers=(taskset -c "$rest")
fi
go build -o "$tmp/conns" ./bench/conns

# start NAME starts a fresh server, redis-server or the Go server, on its
# port, waits until it accepts connections, and sets pid.
start() {
	case $1 in
	redis-server)
		port=$redis_port
		"${on_servers[@]}" redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
			--maxclients $((conns + 10)) >"$tmp/$1.log" &
		;;
	05-process)
		port=$go_port
		"${on_servers[@]}" "$tmp/server" -addr "127.0.0.1:$port" -maxclients $((conns + 10)) 2>"$tmp/$1.log" &
		;;
	*)
		port=$go_port
		"${on_servers[@]}" "$tmp/server" -addr "127.0.0.1:$port" 2>"$tmp/$1.log" &
		;;
	esac
	pid=$!
	pids+=("$pid")
	for _ in $(seq 100); do
		listening "$port" && return
		sleep 0.05
	done
	echo "$1 is not listening on port $port:" >&2
	cat "$tmp/$1.log" >&2
	exit 1
}

# halt stops the server start started last.
halt() {
	kill "$pid"
	wait "$pid" 2>/dev/null || true
}

# rss PID prints the resident memory of PID, or with VmHWM its peak, in kB.
rss() { awk -v field="${2:-VmRSS}:" '$1 == field { print $2 }' "/proc/$1/status"; }

# cpu PID prints the CPU time PID has used, user and system, in ticks.
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# bench PID PORT PIPELINE prints, for SET and then GET, the requests/s
# and the server's CPU time per request in microseconds: on a busy machine
# the first varies with what else runs, the second much less. With -q,
# redis-benchmark redraws a progress line with CR; keep the final line.
bench() {
	local test before
	for test in SET GET; do
		before=$(cpu "$1")
		"${on_client[@]}" redis-benchmark -h 127.0.0.1 -p "$2" -t "$test" -c 50 -n "$requests" -P "$3" -q 2>"$tmp/bench.err" |
			tr '\r' '\n' | awk '/requests per second/ { printf "%s %s ", $1, $2 }'
		awk -v t="$(($(cpu "$1") - before))" -v hz="$(getconf CLK_TCK)" -v n="$requests" \
			'BEGIN { printf "%.2f\n", t / hz * 1e6 / n }'
	done
}

printf 'redis-benchmark -t set,get -c 50 -n %s, %s rounds, on %s\n' "$requests" "$rounds" "$ncores"
printf '%s\n' "$placement"
printf '%s; %s\n\n' "$(go version)" "$(redis-server --version | cut -d' ' -f1-3)"

start "$name"
go_pid=$pid
start redis-server
redis_pid=$pid
printf '%-6s %-10s %21s %6s %21s %6s\n' "" "" "requests/s" "" "server CPU µs/request" ""
printf '%-6s %-10s %10s %10s %6s %10s %10s %6s\n' round test "$name" redis ratio "$name" redis ratio
for round in $(seq "$rounds"); do
	for pipeline in 1 16; do
		if [ $((round % 2)) = 1 ]; then
			ours=$(bench "$go_pid" "$go_port" "$pipeline")
			theirs=$(bench "$redis_pid" "$redis_port" "$pipeline")
		else
			theirs=$(bench "$redis_pid" "$redis_port" "$pipeline")
			ours=$(bench "$go_pid" "$go_port" "$pipeline")
		fi
		paste -d' ' <(echo "$ours") <(echo "$theirs") |
			awk -v r="$round" -v p="$pipeline" '{ sub(":", "", $1)
				# A run too short for a clock tick of CPU time has no CPU ratio.
				cost = $6 > 0 ? sprintf("%6.2f", $3 / $6) : sprintf("%6s", "-")
				printf "%-6s %-10s %10.0f %10.0f %6.2f %10.2f %10.2f %s\n", r, $1 " -P " p, $2, $5, $2 / $5, $3, $6, cost }'
	done
done | tee "$tmp/rounds"
# The mean of each test's ratios over the rounds.
awk '{ t = $2 " " $3 " " $4; speed[t] += $7; n[t]++ }
	$10 != "-" { cost[t] += $10; costs[t]++ }
	END {
		for (t in n) {
			c = costs[t] ? sprintf("%28.2f", cost[t] / costs[t]) : sprintf("%28s", "-")
			printf "%-6s %-10s %28.2f %s\n", "mean", t, speed[t] / n[t], c
		}
	}' "$tmp/rounds" |
	sort -k4,4n -k2,2r
kill "$go_pid" "$redis_pid"
wait "$go_pid" "$redis_pid" 2>/dev/null || true

# per_conn NAME starts a fresh NAME, has bench/conns open $conns
# connections to it, and sets idle and used to the RSS growth per
# connection in bytes: idle, then after one SET and GET on each.
per_conn() {
	start "$1"
	local before
	before=$(rss "$pid")
	coproc CLIENTS { exec "$tmp/conns" -addr "127.0.0.1:$port" -n "$conns"; }
	read -r _ <&"${CLIENTS[0]}"
	idle=$((($(rss "$pid") - before) * 1024 / conns))
	echo >&"${CLIENTS[1]}"
	read -r _ <&"${CLIENTS[0]}"
	used=$((($(rss "$pid") - before) * 1024 / conns))
	echo >&"${CLIENTS[1]}"
	wait "$CLIENTS_PID"
	halt
}

# peak NAME starts a fresh NAME, stores one value of $big bytes in it and
# reads it back, and sets peak to the server's peak RSS in kB.
peak() {
	start "$1"
	"$tmp/conns" -addr "127.0.0.1:$port" -n 1 -value-size "$big" <<<$'\n\n' >/dev/null
	peak=$(rss "$pid" VmHWM)
	halt
}

if [ "$name" != 05-process ]; then
	exit 0
fi
echo
printf '%-40s %14s %14s\n' "memory, $conns connections" 05-process redis-server
per_conn 05-process
go_idle=$idle go_used=$used
per_conn redis-server
printf '%-40s %12d B %12d B\n' "per idle connection" "$go_idle" "$idle"
printf '%-40s %12d B %12d B\n' "per connection after one SET and GET" "$go_used" "$used"
peak 05-process
go_peak=$peak
peak redis-server
printf '%-40s %11d kB %11d kB\n' "peak RSS storing one $big-byte value" "$go_peak" "$peak"
