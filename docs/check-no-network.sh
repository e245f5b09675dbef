#!/usr/bin/env bash
# Manual check (not run in CI): the CLI opens no network connection.
#
# Builds the jar, then runs `lrp explain` on the small HF BERT test model and `lrp info` on the
# built-in MiniLM under strace, with an empty DJL cache (so the first-run extraction of the
# tokenizers native library is traced too). Exits 1 if any traced process connects to, binds,
# or sends to an AF_INET/AF_INET6 address; AF_UNIX (e.g. the nscd socket) is fine. Bare
# socket() calls without a connect are reported but allowed: the JDK's libnet.so probes for
# IPv4/IPv6/SO_REUSEPORT support by opening and closing a socket when it is loaded.
#
# Requires strace (apt-get install -y strace) and Maven. Usage: docs/check-no-network.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

command -v strace >/dev/null || { echo "check-no-network: strace not found (apt-get install -y strace)" >&2; exit 2; }

mvn -B -q package -DskipTests

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export DJL_CACHE_DIR="$work/djl-cache"

failed=0
run() {
  local name="$1"; shift
  local trace="$work/$name.trace"
  if ! strace -f -e trace=socket,connect,bind,sendto,sendmsg -o "$trace" ./lrp "$@" >"$work/$name.out" 2>"$work/$name.err"; then
    echo "FAIL $name: lrp exited non-zero (the trace proves nothing):" >&2
    cat "$work/$name.err" >&2
    failed=1
    return
  fi
  local bad
  bad="$(grep -E '(connect|bind|sendto|sendmsg)\(.*sa_family=AF_INET6?\b' "$trace" || true)"
  local probes
  probes="$(grep -cE 'socket\(AF_INET6?,' "$trace" || true)"
  if [ -n "$bad" ]; then
    echo "FAIL $name: network calls:" >&2
    echo "$bad" >&2
    failed=1
  else
    echo "ok   $name: no AF_INET/AF_INET6 connect, bind or send ($probes bare AF_INET/AF_INET6 socket() probes)"
  fi
}

run explain explain --model src/test/resources/golden/hf_bert_small --method all --format json "a test"
run info info --model minilm
exit "$failed"
