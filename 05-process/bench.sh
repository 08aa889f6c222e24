#!/usr/bin/env bash
# bench.sh runs redis-benchmark against this chapter's server and against a
# real redis-server, one request at a time and pipelined 16 deep, and
# prints the results side by side. It needs redis-server and
# redis-benchmark on PATH. From the repository root:
#
#	bash 05-process/bench.sh
#	GO_PORT=7400 REDIS_PORT=7401 REQUESTS=20000 bash 05-process/bench.sh
set -euo pipefail
cd "$(dirname "$0")"

go_port=${GO_PORT:-6400}
redis_port=${REDIS_PORT:-6401}
requests=${REQUESTS:-100000}

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

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

for port in "$go_port" "$redis_port"; do
	if listening "$port"; then
		echo "port $port is already in use; choose others with GO_PORT and REDIS_PORT" >&2
		exit 1
	fi
done

go build -o "$tmp/server" .
"$tmp/server" -addr "127.0.0.1:$go_port" 2>"$tmp/server.log" &
pids+=($!)
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no >"$tmp/redis.log" &
pids+=($!)

# Starting takes a moment; wait until both accept connections.
for port in "$go_port" "$redis_port"; do
	for _ in $(seq 100); do
		listening "$port" && continue 2
		sleep 0.05
	done
	echo "nothing is listening on port $port:" >&2
	cat "$tmp/server.log" "$tmp/redis.log" >&2
	exit 1
done

# bench PORT [ARGS...] prints one line per test: name, requests/s, p50 ms.
# With -q, redis-benchmark redraws a progress line with CR; keep the
# final lines only.
bench() {
	local port=$1
	shift
	redis-benchmark -h 127.0.0.1 -p "$port" -t set,get -n "$requests" -q "$@" 2>"$tmp/bench.err" |
		tr '\r' '\n' |
		awk '/requests per second/ { sub(":", "", $1); sub("p50=", "", $6); print $1, $2, $6 }'
}

printf 'redis-benchmark -t set,get -n %s -q (50 clients), on %s cores\n' "$requests" "$(nproc)"
printf '%s; %s\n\n' "$(go version)" "$(redis-server --version | cut -d' ' -f1-3)"
printf '%-10s %26s %26s\n' "" "05-process" "redis-server"
printf '%-10s %15s %10s %15s %10s\n' "" "requests/s" "p50 ms" "requests/s" "p50 ms"
for pipeline in 1 16; do
	ours=$(bench "$go_port" -P "$pipeline")
	theirs=$(bench "$redis_port" -P "$pipeline")
	paste -d' ' <(echo "$ours") <(echo "$theirs") |
		awk -v p="$pipeline" '{ name = $1; if (p > 1) name = name " -P " p
			printf "%-10s %15s %10s %15s %10s\n", name, $2, $3, $5, $6 }'
done
