#!/usr/bin/env bash
# Container start latency, side by side: create -> start -> wait -> delete of /bin/true on the same
# busybox bundle with berth-runc, runc and crun (the `run` command of each does exactly that).
# Prints the median per runtime and each one's ratio to crun. Not a test: numbers, no verdicts.
#
#   bench/runtime-bench.sh [iterations]     (root; build first: mvn -pl runtime-agent -am package)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
. "$here/lib.sh"
iterations=${1:-30}
berth=$here/../runtime-agent/bin/berth-runc
work=$(mktemp -d /tmp/berth-bench.XXXXXX)
trap 'rm -rf "$work"; rmdir /sys/fs/cgroup/*/berth 2>/dev/null || true' EXIT
make_bundle "$work/bundle" '["/bin/true"]'

# crun refuses cgroup "hybrid mode": give it a private mount namespace without the cgroup2 mount
crun_cmd() {
  if mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then
    unshare -m sh -c "umount /sys/fs/cgroup/unified && exec crun $*"
  else
    crun "$@"
  fi
}

measure() {
  local name=$1; shift
  local i start end
  "$@" "warmup-$name" >/dev/null 2>&1 || { echo "$name: warm-up run failed" >&2; "$@" "warmup2-$name"; return 1; }
  for i in $(seq 1 "$iterations"); do
    start=$(now_ms)
    "$@" "b-$name-$i" >/dev/null
    end=$(now_ms)
    echo "$end - $start" | bc
  done | median
}

cd "$work/bundle"
berth_ms=$(measure berth "$berth" --root "$work/berth-state" run --bundle .)
runc_ms=$(measure runc runc --root "$work/runc-state" run --bundle .)
crun_ms=$(measure crun crun_cmd --root "$work/crun-state" run --bundle .)

# the same sequence driven in-process, as the node shim drives it: a cold init, then inits forked from a zygote
lib=$here/../runtime-agent/target/runtime
classes=$here/../runtime-agent/target/test-classes
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
inprocess=$("$java" --enable-native-access=ALL-UNNAMED -cp "$classes:$(ls "$lib"/runtime-agent-*-runtime.jar):$lib/jna.jar" \
  dev.berth.runtime.bench.InProcessLatencyBench "$work/bundle" "$(ls "$lib"/runtime-agent-*-runtime.jar):$lib/jna.jar" "$iterations")

printf '%-18s %10s %8s\n' runtime "median ms" "x crun"
while read -r name ms; do
  printf '%-18s %10s %8s\n' "$name" "$ms" "$(echo "scale=2; $ms / $crun_ms" | bc)"
done <<ROWS
berth-runc $berth_ms
$inprocess
runc $runc_ms
crun $crun_ms
ROWS
echo "($iterations runs each of create+start+wait+delete of /bin/true; goal: <= 1.5 x crun)"
