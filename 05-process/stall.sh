#!/usr/bin/env bash
# stall.sh plays clients that declare a huge SET value, send part of it and
# stop, against this chapter's server and a real redis-server, and prints
# what each server then holds next to what was sent, and how long it takes
# to hand the memory back once the clients have gone.
#
# Each of ROUNDS rounds (3) has N clients (16) declare DECLARED bytes
# (512 MiB) and send SENT of them (65 MiB). It needs redis-server on PATH.
# From the repository root:
#
#	bash 05-process/stall.sh
#	N=8 SENT=10000000 bash 05-process/stall.sh
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-3}
n=${N:-16}
declared=${DECLARED:-536870912}
sent=${SENT:-68157440}
go_port=${GO_PORT:-6402}
redis_port=${REDIS_PORT:-6403}

tmp=$(mktemp -d)
pid=
stop() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap stop EXIT
trap "exit 1" INT TERM HUP PIPE

go build -o "$tmp/server" ./05-process
go build -o "$tmp/stall" ./bench/stall

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
rss_mb() { awk '$1 == "VmRSS:" { printf "%d", $2 / 1024 }' "/proc/$1/status"; }

# measure NAME PORT prints one line per round for the server on PORT.
measure() {
	local name=$1 port=$2 base stalled left waited
	for _ in $(seq 100); do listening "$port" && break; sleep 0.05; done
	base=$(rss_mb "$pid")
	for round in $(seq "$rounds"); do
		coproc STALL { exec "$tmp/stall" -addr "127.0.0.1:$port" -n "$n" -declared "$declared" -sent "$sent"; }
		read -r line <&"${STALL[0]}"
		[ "$line" = stalled ] || { echo "stall: $line" >&2; exit 1; }
		# The clients' writes are done once the bytes are in the kernel;
		# give the server a second to read them.
		sleep 1
		stalled=$(rss_mb "$pid")
		echo >&"${STALL[1]}"
		read -r line <&"${STALL[0]}"
		wait "$STALL_PID" 2>/dev/null || true
		# Back within a tenth of what was sent above where it started?
		left=$((base + n * sent / 1048576 / 10))
		waited=0
		while [ "$(rss_mb "$pid")" -gt "$left" ] && [ "$waited" -lt 100 ]; do
			sleep 0.1
			waited=$((waited + 1))
		done
		if [ "$waited" -lt 100 ]; then back="$((waited / 10)).$((waited % 10)) s"; else back="not in 10 s ($(rss_mb "$pid") MB)"; fi
		printf '%-13s %5d %9d %12d %7s   %s\n' "$name" "$round" $((n * sent / 1048576)) "$stalled" \
			"$(awk -v a="$stalled" -v b=$((n * sent / 1048576)) 'BEGIN { printf "%.2f", a / b }')" "$back"
	done
}

printf '%d clients a round, each declaring %d bytes and sending %d\n\n' "$n" "$declared" "$sent"
printf '%-13s %5s %9s %12s %7s   %s\n' server round "sent MB" "RSS stalled" ratio "back to base after the clients left"
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no >"$tmp/redis.log" &
pid=$!
measure redis-server "$redis_port"
kill "$pid"; wait "$pid" 2>/dev/null || true
"$tmp/server" -addr "127.0.0.1:$go_port" 2>"$tmp/05.log" &
pid=$!
measure 05-process "$go_port"
