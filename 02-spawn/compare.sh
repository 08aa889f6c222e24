#!/usr/bin/env bash
# compare.sh puts the same fair load on 01-accept and 02-spawn and prints
# the results as a Markdown table: 50 clients at once, each opening a
# connection, sending one request and reading the reply, 20 times over;
# then the same with one silent client connected first. From the
# repository root:
#
#	bash 02-spawn/compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."

port=${PORT:-6410}
tmp=$(mktemp -d)
pid=
stop() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap stop EXIT

go build -o "$tmp/fair" ./bench/fair
echo "| server | requests/s | p50 | p90 | p99 | timed out (1 s) | failed |"
echo "|---|---|---|---|---|---|---|"
for chapter in 01-accept 02-spawn; do
	go build -o "$tmp/$chapter" "./$chapter"
	for idle in false true; do
		"$tmp/$chapter" -addr "127.0.0.1:$port" 2>/dev/null &
		pid=$!
		until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do :; done
		label=$chapter
		[ "$idle" = true ] && label="$chapter, one silent client"
		"$tmp/fair" -addr "127.0.0.1:$port" -clients 50 -rounds 20 -idle="$idle" -label "$label"
		kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
	done
done
