#!/bin/bash
# interleaved pairs: baseline (main before issue 14) and issue-14, same flags as ./lrp
export OMP_NUM_THREADS=1 OPT_OUT_TRACKING=true
run() { java --add-modules jdk.incubator.vector -Dai.djl.offline=true -XX:+UseSerialGC -XX:PretenureSizeThreshold=1m -XX:TieredStopAtLevel=4 \
  -cp "$1/lrp-transformers.jar:$1/lib/*" io.lrp.cli.Main bench --model minilm --method $2 --seq $3 --runs 30 --warmup 10 --json 2>/dev/null; }
for i in 1 2 3 4 5; do
  for m in lrp-ah-ln:64 forward:64 lrp-ah-ln:16; do
    meth=${m%%:*}; seq=${m##*:}
    echo "{\"build\":\"before\",\"pair\":$i,\"r\":$(run /tmp/wt14-base $meth $seq)}"
    echo "{\"build\":\"after\",\"pair\":$i,\"r\":$(run /tmp/wt14-new $meth $seq)}"
  done
done
