#!/bin/bash
# Llama-3.2-1B-shape figures, one run: the PyTorch reference and `lrp bench --model llama-1b` in
# F32 and BF16, one after the other (each alone: PyTorch needs about 12 GB), at the given prompt
# lengths and thread counts. Peak RSS by /usr/bin/time -v. Output: one JSON object per line in $1
# (ours as printed, PyTorch's with "peak_rss_bytes" added), the time lines in $1.time.
# Usage: docs/run-benchmarks-llama.sh OUT.jsonl "512 128" "2 1"
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/benchmarks-llama.jsonl}"; seqs="${2:-512 128}"; threads="${3:-2 1}"
: > "$out"; : > "$out.time"
rss() { awk '/Maximum resident/ {printf "%.0f\n", $6 * 1024}' "$1"; }
for t in $threads; do
  for s in $seqs; do
    tmp=$(mktemp)
    line=$(/usr/bin/time -v /usr/bin/python3 ../shared/bench/torch_reference.py --model llama-1b --seq "$s" --threads "$t" \
      --runs 3 --what both 2> "$tmp") || true
    [ -n "$line" ] && echo "${line%\}}, \"peak_rss_bytes\": $(rss "$tmp")}" >> "$out"
    grep -E 'Maximum resident|Elapsed' "$tmp" | sed "s/^/torch seq $s threads $t: /" >> "$out.time"
    # ours: the heap just above what each format needs at 512 tokens (BENCHMARKS.md), young generation small
    for d in bf16 f32; do
      heap=$([ $d = bf16 ] && echo 2800m || echo 1500m)
      LRP_JAVA_OPTS="-Xmx$heap -Xmn64m" /usr/bin/time -v ./lrp bench --model llama-1b --dtype $d --seq "$s" --threads "$t" \
        --warmup 1 --runs 3 2> "$tmp" >> "$out"
      grep -E 'Maximum resident|Elapsed' "$tmp" | sed "s/^/ours $d seq $s threads $t: /" >> "$out.time"
    done
    rm -f "$tmp"
  done
done
