#!/bin/bash
# 512-token figures for paper-imdb and minilm-sst2 (forward and lrp-ah-ln, 2 threads) and the
# PyTorch reference for the same shapes, in one run. Output: one JSON object per line in $1.
# The paper model has no feed-forward block; the reference has no shape without one, so it runs
# hidden 384, 3 layers, 12 heads with a feed-forward width of 1 (a negligible extra cost).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/benchmarks-seq512.jsonl}"; : > "$out"
for m in paper-imdb minilm-sst2; do
  for meth in forward lrp-ah-ln; do
    ./lrp bench --model $m --method $meth --seq 512 --threads 2 --warmup 2 --runs 5 --json >> "$out"
  done
done
/usr/bin/python3 ../shared/bench/torch_reference.py --model 384,3,12,1 --seq 512 --threads 2 --runs 5 >> "$out"
/usr/bin/python3 ../shared/bench/torch_reference.py --model minilm --seq 512 --threads 2 --runs 5 >> "$out"
