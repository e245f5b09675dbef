#!/usr/bin/env bash
# Load test of `lrp serve` (BENCHMARKS.md, "lrp serve under load"): starts the server on a free
# local port with its defaults, reads its memory, runs docs/ServeLoad.java (50 clients posting
# /api/explain for 2 minutes after a 10 s warm-up), reads the memory again, stops the server
# with SIGTERM and prints one JSON object. Uses both cores for about 2.5 minutes: run it on a
# quiet machine.   docs/serve-load.sh [clients=50] [seconds=120]
set -euo pipefail
cd "$(dirname "$0")/.."
clients="${1:-50}"; seconds="${2:-120}"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
log="$(mktemp)"
./lrp serve --port "$port" --models minilm-sst2 2>"$log" &
launcher=$!
trap 'kill "$launcher" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 1; done
pid="$(pgrep -f "io.lrp.cli.Main serve --port $port" | head -1)"
# resident memory (kB) and the heap in use right after a full collection (bytes)
rss() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
heap() { jcmd "$pid" GC.run >/dev/null; curl -s "http://127.0.0.1:$port/health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["heap_used_bytes"])'; }
# CPU seconds the server has used (user + system): the load test's cost whatever else runs here
cpu() { awk -v t="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / t}' "/proc/$pid/stat"; }
rss0="$(rss)"; heap0="$(heap)"; cpu0="$(cpu)"; load0="$(cut -d' ' -f1 /proc/loadavg)"
result="$(java docs/ServeLoad.java "$port" "$clients" "$seconds" 10)"
cpu1="$(cpu)"; load1="$(cut -d' ' -f1 /proc/loadavg)"
rss1="$(rss)"; heap1="$(heap)"
served="$(curl -s "http://127.0.0.1:$port/health")"
kill -TERM "$pid"; wait "$launcher" || true
trap - EXIT
echo "${result%\}},\"rss_start_kb\":$rss0,\"rss_end_kb\":$rss1,\"heap_after_gc_start_bytes\":$heap0,\"heap_after_gc_end_bytes\":$heap1,\"server_cpu_s\":$(python3 -c "print(round($cpu1 - $cpu0, 2))"),\"loadavg_start\":$load0,\"loadavg_end\":$load1,\"cpus\":$(nproc),\"server_health_end\":$served}"
grep -v '^lrp serve: http' "$log" | grep -v 'loading' >&2 || true
rm -f "$log"
