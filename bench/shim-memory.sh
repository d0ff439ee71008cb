#!/usr/bin/env bash
# The node shim's resident memory with 0, 10 and 50 sleeping containers, and what each container
# adds. Starts a private shim (its own state dirs), drives it with berth-shimctl requests over its
# socket, and stops everything at the end. Not a test: numbers, no verdicts.
#
#   bench/shim-memory.sh          (root; build first: mvn -pl runtime-agent -am package)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
. "$here/lib.sh"
lib=$here/../runtime-agent/target/runtime
jar=$(ls "$lib"/runtime-agent-*-runtime.jar | head -n 1)
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
work=$(mktemp -d /tmp/berth-shim-bench.XXXXXX)
shim_pid=""
cleanup() {
  if [ -n "$shim_pid" ]; then
    for id in $(seq 1 50); do request "{\"op\":\"delete\",\"id\":\"s$id\",\"force\":true}" >/dev/null 2>&1 || true; done
    kill -9 "$shim_pid" 2>/dev/null || true
  fi
  rmdir /sys/fs/cgroup/*/berth 2>/dev/null || true # the parent cgroup, when no other container uses it
  rm -rf "$work"
}
trap cleanup EXIT
make_bundle "$work/bundle" '["sleep","100000"]'

request() {
  "$java" -cp "$jar:$lib/jna.jar" dev.berth.runtime.shim.ShimRequest "$work/shim.sock" "$1"
}

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

"$java" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx96m -Xss256k -XX:-UsePerfData --enable-native-access=ALL-UNNAMED \
  -cp "$jar:$lib/jna.jar" dev.berth.runtime.shim.NodeShim --state "$work/shim" --root "$work/runtime" \
  --socket "$work/shim.sock" 2>"$work/shim.log" &
shim_pid=$!
for _ in $(seq 1 100); do [ -S "$work/shim.sock" ] && break; sleep 0.1; done
sleep 1
base=$(rss_kb "$shim_pid")
echo "containers  shim RSS (MiB)  per container (KiB)"
printf '%10d  %14.1f  %19s\n' 0 "$(echo "scale=1; $base / 1024" | bc)" "-"
n=0
for target in 10 50; do
  while [ $n -lt $target ]; do
    n=$((n + 1))
    request "{\"op\":\"create\",\"id\":\"s$n\",\"bundle\":\"$work/bundle\",\"stdio\":{\"logPath\":\"$work/s$n-json.log\"}}" >/dev/null
    request "{\"op\":\"start\",\"id\":\"s$n\"}" >/dev/null
  done
  sleep 2
  rss=$(rss_kb "$shim_pid")
  printf '%10d  %14.1f  %19.0f\n' "$target" "$(echo "scale=1; $rss / 1024" | bc)" "$(echo "($rss - $base) / $target" | bc)"
done
warm=$(pgrep -f 'InitMain --warm' | head -n 1 || true)
[ -n "$warm" ] && printf 'a warm init (kept ready, not per container): %.1f MiB\n' "$(echo "scale=1; $(rss_kb "$warm") / 1024" | bc)"
echo "(goal: <= 1 MiB of shim memory per running container)"
