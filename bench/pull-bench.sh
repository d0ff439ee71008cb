#!/usr/bin/env bash
# Pull + unpack of an image with a 100 MiB layer, side by side: Berth (berthd: engine-service pulls,
# the runtime agent unpacks) and Debian's dockerd (docker pull: download + extraction to overlay2),
# both from one local registry (Distribution, on loopback, filesystem storage). Prints the median
# seconds and MB/s of each and the ratio. Not a test: numbers, no verdicts.
#
#   bench/pull-bench.sh [runs]        (root; default 5 runs each)
#
# Installs what it lacks (scripts/install-deps.sh, plus docker.io for dockerd), builds Berth when
# its jars are missing, and starts everything privately under one temporary directory: the
# registry, a dockerd with its own data root, exec root and socket, and berthd. One warm-up run
# each, then the runs interleave (dockerd first on odd runs, Berth first on even ones). Every run
# starts after `sync` and with the engine's previous copy of the image deleted (docker rmi; for
# Berth, the image removed with force, which deletes its blobs, and the unpacked layers deleted),
# so each downloads and unpacks again. The page cache is not dropped: the registry's blobs stay
# warm for both. Everything started is stopped on exit, and the temporary directory removed.
#
# BERTH_FIXTURES=<dir> reuses a scripts/registry-fixtures.sh output instead of building one.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
. "$here/engines.sh"
runs=${1:-5}
case "$runs" in '' | *[!0-9]* | 0) echo "usage: $0 [runs]   (runs >= 1)" >&2; exit 2 ;; esac

bench_setup docker.io
client_pid=
close_client() {
  [ -n "$client_pid" ] || return 0
  exec {client_in}>&- 2>/dev/null
  stop "$client_pid" 5
}
cleanup_hooks+=(close_client)

# fixtures: "big" is busybox plus a layer of 100 MiB from /dev/urandom, as an OCI layout
start_registry
image=127.0.0.1:$registry_port/big:latest
push_fixture big "$image"
manifest=$(jq -r '.manifests[0].digest' "$fixtures/big/index.json")
bytes=$(jq '[.layers[].size] | add' "$fixtures/big/blobs/sha256/${manifest#sha256:}")
layers=$(jq '.layers | length' "$fixtures/big/blobs/sha256/${manifest#sha256:}")
start_dockerd
docker=("${dockerd_cli[@]}")
start_berthd

# Berth's client: the contracts and gRPC (with its Netty transport) exactly as engine-service ships them
mkdir -p "$tmp/client"
(cd "$tmp/client" && "$JAVA_HOME/bin/jar" xf "$(jar_of engine-service)" BOOT-INF/lib)
classpath=$(ls "$tmp"/client/BOOT-INF/lib/{contracts,grpc,protobuf,proto-google,netty,guava,failureaccess,perfmark}-*.jar | paste -sd:)
coproc client { exec "$JAVA_HOME/bin/java" -XX:-UsePerfData --enable-native-access=ALL-UNNAMED -cp "$classpath" "$here/PullClient.java" \
  "$engine_port" "$agent_port" "$image" 2>"$tmp/client.err"; }
client_pid=$client_PID
exec {client_in}>&"${client[1]}" {client_out}<&"${client[0]}"

# one docker pull, then docker rmi; prints the seconds of the pull
dockerd_run() {
  local start end left
  sync
  start=$(now_ms)
  "${docker[@]}" pull -q "$image" >/dev/null || { tail -n 20 "$tmp/dockerd.log" >&2; fail "docker pull failed"; }
  end=$(now_ms)
  "${docker[@]}" rmi "$image" >/dev/null || fail "docker rmi failed"
  left=$(find "$tmp/docker/overlay2" -mindepth 1 -maxdepth 1 ! -name l | wc -l)
  [ "$left" = 0 ] || fail "docker rmi left $left layer directories in overlay2"
  echo "scale=3; ($end - $start) / 1000" | bc
}

# one Berth pull + unpack (the client removes the snapshot and the image), then the unpacked
# layers are deleted; prints the client's line
berth_run() {
  local line left
  sync
  echo "$1" >&"$client_in"
  IFS= read -r -t 900 line <&"$client_out" || { cat "$tmp/client.err" >&2; tail -n 40 "$tmp/berthd.log" >&2; fail "the Berth client failed"; }
  find "$tmp/berth/snapshots/layers" "$tmp/berth/snapshots/l" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
  left=$(find "$tmp/berth/content/blobs" -type f | wc -l)
  [ "$left" = 0 ] || fail "removing the image left $left blobs in the content store"
  echo "$line"
}

field() { # field NAME LINE: the value of NAME=value in a client line
  local pair
  for pair in $2; do
    [ "${pair%%=*}" = "$1" ] && { echo "${pair#*=}"; return; }
  done
}

cli_s=$(for _ in 1 2 3 4 5; do
  start=$(now_ms); "${docker[@]}" version >/dev/null; end=$(now_ms); echo "scale=3; ($end - $start) / 1000" | bc
done | median)
echo "pull + unpack of $image: $layers layers, $bytes compressed layer bytes; dockerd $dockerd_version vs berthd"
echo "warm-up (not counted)…"
dockerd_run >/dev/null
line=$(berth_run warmup)
[ "$(field bytes "$line")" = "$bytes" ] || fail "Berth pulled $(field bytes "$line") layer bytes, the manifest lists $bytes"
: >"$tmp/dockerd.times"
: >"$tmp/berth.lines"
for i in $(seq 1 "$runs"); do
  if ((i % 2)); then
    d=$(dockerd_run)
    b=$(berth_run "$i")
  else
    b=$(berth_run "$i")
    d=$(dockerd_run)
  fi
  echo "$d" >>"$tmp/dockerd.times"
  echo "$b" >>"$tmp/berth.lines"
  printf 'run %d: dockerd %6.3f s   berth %6.3f s (pull %.3f = download %.3f + verify %.3f; unpack %.3f)\n' "$i" "$d" \
    "$(field total "$b")" "$(field pull "$b")" "$(field download "$b")" "$(field verify "$b")" "$(field unpack "$b")"
done

column_median() { # column_median NAME: the median of that field over Berth's runs
  while read -r line; do field "$1" "$line"; done <"$tmp/berth.lines" | median
}
mbps() { echo "scale=1; $bytes / 1000000 / $1" | bc; }
d_med=$(median <"$tmp/dockerd.times")
b_med=$(column_median total)
echo
printf '%-22s %9s %8s\n' engine "median s" "MB/s"
printf '%-22s %9.3f %8s\n' "dockerd $dockerd_version" "$d_med" "$(mbps "$d_med")"
printf '%-22s %9.3f %8s\n' berthd "$b_med" "$(mbps "$b_med")"
printf '  %-20s %9.3f %8s\n' "pull" "$(column_median pull)" "$(mbps "$(column_median pull)")"
printf '    %-18s %9.3f\n' "download" "$(column_median download)" "diff-ID check" "$(column_median verify)"
printf '  %-20s %9.3f %8s\n' "unpack" "$(column_median unpack)" "$(mbps "$(column_median unpack)")"
echo "berthd / dockerd in MB/s: $(printf "%.2f" "$(echo "scale=3; $d_med / $b_med" | bc)")   (goal: >= 1)"
echo "($runs runs each, interleaved, after one warm-up each; MB = 10^6 bytes of compressed layers ($bytes);"
echo " each part's median is taken on its own, so parts need not add up to the total; dockerd's times"
echo " include the docker CLI's start and API round trip, $(printf "%.3f" "$cli_s") s for a docker version)"
