#!/usr/bin/env bash
# Throughput of `lrp spark explain` (local[1], local[2]) against the plain CLI (`lrp explain
# --file`, 1 and 2 threads) on the same machine: SST-2 dev (872 sentences), lrp-ah-ln, JSON Lines
# out, wall-clock time of the whole command (JVM start, model load and, for Spark, the session
# and the job's bookkeeping included). The four commands run interleaved, ROUNDS times.
# Usage: docs/benchmarks-spark.sh [ROUNDS]   (from the repository root; prints one line per run)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-2}"
data="${LRP_DATA:-../shared/data/sst2/stsa.binary.dev}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cut -d' ' -f2- "$data" > "$work/dev.txt"
n="$(wc -l < "$work/dev.txt")"
./lrp explain --help > /dev/null; ./lrp spark --help > /dev/null   # build first, untimed
echo "# $(date -u +%FT%TZ) $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $n sentences, lrp-ah-ln"
run() {   # name, command...
  local name="$1"; shift
  rm -rf "$work/out"
  local t0 t1
  t0="$(date +%s.%N)"
  "$@" > /dev/null 2> "$work/err" || { cat "$work/err" >&2; exit 1; }
  t1="$(date +%s.%N)"
  awk -v n="$n" -v a="$t0" -v b="$t1" -v name="$name" -v load="$(cut -d' ' -f1 /proc/loadavg)" \
    'BEGIN { printf "%-22s %7.1f s  %6.1f sentences/s  (load %s)\n", name, b - a, n / (b - a), load }'
}
for ((r = 1; r <= rounds; r++)); do
  run "cli --threads 1" ./lrp explain --threads 1 --format jsonl --file "$work/dev.txt" --out "$work/out"
  run "spark local[1]" ./lrp spark explain --master 'local[1]' --input "$work/dev.txt" --methods lrp-ah-ln \
    --out-format jsonl --no-summary --out "$work/out"
  run "cli --threads 2" ./lrp explain --threads 2 --format jsonl --file "$work/dev.txt" --out "$work/out"
  run "spark local[2]" ./lrp spark explain --master 'local[2]' --input "$work/dev.txt" --methods lrp-ah-ln \
    --out-format jsonl --no-summary --out "$work/out"
done
