#!/usr/bin/env bash
# Runs every measurement of BENCHMARKS.md back to back (ours and the references, same run) and
# writes one JSON object per line to the file given (default: benchmarks.jsonl).
# Needs: apt-get install -y python3-torch (PyTorch reference); Maven Central for -Port.
# Run on a quiet machine; takes about 15 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-benchmarks.jsonl}"
: > "$out"
torch=../shared/bench/torch_reference.py
rec() { echo "$1" | tee -a "$out"; }
./lrp info >/dev/null   # build
# the JVM launched directly from the copy ./lrp runs (so the numbers are the launcher's)
lrpj() { ./lrp "$@"; }

# the two GEMM backends side by side (oneDNN is the default; OpenBLAS as this machine pins it)
rec "$(lrpj bench --sgemm --size 1024 --threads 1 --json)"
rec "$(LRP_JAVA_OPTS=-Dlrp.gemm=openblas lrpj bench --sgemm --size 1024 --threads 1 --json)"
rec "$(LRP_JAVA_OPTS=-Dlrp.gemm=openblas lrpj bench --model minilm --method lrp-ah-ln --seq 128 --threads 1 --runs 20 --json)"

# goal 1: forward, MiniLM, 128 tokens, 1 thread, against ONNX Runtime Java
rec "$(lrpj bench --model minilm --method forward --seq 128 --threads 1 --runs 30 --json)"
rec "$(mvn -Port -q compile exec:exec@ort -Dort.args="--seq 128 --threads 1" | grep -o "{.*}" | tail -1)"
rec "$(lrpj bench --model minilm --method forward --seq 128 --threads 1 --runs 30 --json)"

# goal 2: explanation (lrp-ah-ln) and forward, MiniLM, 16/64/128 tokens, 1 thread, against PyTorch
for n in 16 64 128; do
  rec "$(lrpj bench --model minilm --method lrp-ah-ln --seq $n --threads 1 --runs 20 --json)"
  rec "$(lrpj bench --model minilm --method forward --seq $n --threads 1 --runs 20 --json)"
  rec "$(/usr/bin/python3 $torch --model minilm --seq $n --threads 1 | tail -1)"
done

# goal 3: BERT-base, 512 tokens, against the sgemm rate of this run and PyTorch, 1 and 2 threads
for t in 1 2; do
  rec "$(lrpj bench --sgemm --size 1024 --threads $t --json)"
  rec "$(lrpj bench --model bert-base --method lrp-ah-ln --seq 512 --threads $t --warmup 2 --runs 5 --json)"
  rec "$(/usr/bin/python3 $torch --model bert-base --seq 512 --threads $t --runs 5 | tail -1)"
done

# goal 4: throughput on the 872 SST-2 dev sentences, batched by length, 2 threads
rec "$(lrpj bench --model minilm-sst2 --texts ../shared/data/sst2/stsa.binary.dev --n 872 --threads 2 --repeat 3 --json)"
# the explanation issue's criterion: 100 sentences batched vs one by one (medians of 7 alternating passes)
rec "$(lrpj bench --model minilm-sst2 --texts ../shared/data/sst2/stsa.binary.dev --n 100 --threads 2 --repeat 7 --json)"
rec "$(lrpj bench --model minilm-sst2 --texts ../shared/data/sst2/stsa.binary.dev --n 100 --threads 1 --repeat 7 --json)"
rec "$(/usr/bin/python3 $torch --model minilm --seq 25 --threads 1 --what explain | tail -1)"

# goal 5: peak resident memory of a BERT-base 512-token explanation
/usr/bin/time -v ./lrp bench --model bert-base --method lrp-ah-ln --seq 512 --threads 1 --warmup 0 --runs 1 --json 2> /tmp/lrp-mem.txt | tee -a "$out"
rec "{\"engine\":\"lrp\",\"what\":\"peak_rss_kb\",\"value\":$(grep 'Maximum resident' /tmp/lrp-mem.txt | awk '{print $NF}')}"
/usr/bin/time -v /usr/bin/python3 $torch --model bert-base --seq 512 --threads 1 --runs 1 --what explain 2> /tmp/torch-mem.txt | tee -a "$out"
rec "{\"engine\":\"torch\",\"what\":\"peak_rss_kb\",\"value\":$(grep 'Maximum resident' /tmp/torch-mem.txt | awk '{print $NF}')}"
