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
root=$(cd "$here/.." && pwd)
. "$here/lib.sh"
runs=${1:-5}
case "$runs" in '' | *[!0-9]* | 0) echo "usage: $0 [runs]   (runs >= 1)" >&2; exit 2 ;; esac
if [ "$(id -u)" != 0 ]; then
  echo "$0: dockerd and berthd need root: run as root" >&2
  exit 1
fi

"$root/scripts/install-deps.sh"
# dockerd only here: Berth's tests never need it. No service start while installing.
if ! dpkg-query -W -f='${Status}' docker.io 2>/dev/null | grep -q "install ok installed"; then
  echo "Installing: docker.io"
  policy=/usr/sbin/policy-rc.d
  made_policy=
  [ -e $policy ] || { printf '#!/bin/sh\nexit 101\n' >$policy && chmod 755 $policy && made_policy=1; }
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io >/dev/null || status=$?
  [ -z "$made_policy" ] || rm -f $policy
  [ "${status:-0}" = 0 ] || exit "$status"
fi
. "$root/scripts/java-home.sh"
jar_of() { ls "$root/$1"/target/"$1"-*-SNAPSHOT.jar 2>/dev/null | grep -v -- -runtime.jar | head -n 1 || true; }
if [ -z "$(jar_of runtime-agent)" ] || [ -z "$(jar_of engine-service)" ] || [ -z "$(jar_of contracts)" ]; then
  echo "Building Berth (mvn package)…"
  (cd "$root" && mvn -B -q -ntp -DskipTests package)
fi

tmp=$(mktemp -d /tmp/berth-pull-bench.XXXXXX)
export DOCKER_CONFIG=$tmp/docker-cli # the CLI's config: none of the host's
docker=(docker -H "unix://$tmp/docker.sock")
registry_pid= dockerd_pid= berthd_pid= client_pid=
had_key=$([ -e /etc/docker/key.json ] && echo 1 || true)
had_etc_docker=$([ -d /etc/docker ] && echo 1 || true)
had_run_docker=$([ -d /run/docker ] && echo 1 || true)

# Processes whose command line names the temporary directory (read without forking, so the probe
# never finds itself): the client, berthd's JVMs, the node shim and its inits, dockerd, containerd.
procs_in_tmp() {
  local dir pid args
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    [ "$pid" = $$ ] && continue
    mapfile -d '' args 2>/dev/null <"$dir/cmdline" || continue
    [[ "${args[*]}" == *"$tmp"* ]] && echo "$pid"
  done
  return 0
}

# stop PID [seconds]: SIGTERM, then SIGKILL when it is still there after the grace period
stop() {
  local pid=$1 grace=${2:-10} i
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  echo "pull-bench: $pid ignored SIGTERM for ${grace}s; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$? pid mnt
  set +e
  trap - EXIT INT TERM
  if [ -n "${client_pid}" ]; then
    exec {client_in}>&- 2>/dev/null
    stop "$client_pid" 5
  fi
  # berthd stops its services on SIGTERM; the node shim outlives them by design, so it goes by
  # its pid file, and the container inits it keeps warm end with it (or are killed below)
  stop "$berthd_pid" 30
  stop "$(cat "$tmp/berth-exec/shim/shim.pid" 2>/dev/null)" 10
  stop "$dockerd_pid" 30 # takes its containerd along
  stop "$registry_pid" 5
  sleep 0.5
  for pid in $(procs_in_tmp); do
    echo "pull-bench: left over, killed: $pid $(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null)" >&2
    kill -KILL "$pid" 2>/dev/null
  done
  for mnt in $(awk -v t="$tmp" '$5 == t || index($5, t "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
    umount "$mnt" 2>/dev/null || umount -l "$mnt"
  done
  rm -rf "$tmp"
  # dockerd's trust key and plugin directory, when this run made them
  [ -n "$had_key" ] || rm -f /etc/docker/key.json
  [ -n "$had_etc_docker" ] || rmdir /etc/docker 2>/dev/null
  [ -n "$had_run_docker" ] || { rmdir /run/docker/plugins 2>/dev/null; rmdir /run/docker 2>/dev/null; }
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
  echo "pull-bench: $*" >&2
  exit 1
}

# fixtures: "big" is busybox plus a layer of 100 MiB from /dev/urandom, as an OCI layout
fixtures=${BERTH_FIXTURES:-$tmp/fixtures}
"$root/scripts/registry-fixtures.sh" "$fixtures" >"$tmp/fixtures.log" 2>&1 || { cat "$tmp/fixtures.log" >&2; fail "building fixtures failed"; }
manifest=$(jq -r '.manifests[0].digest' "$fixtures/big/index.json")
bytes=$(jq '[.layers[].size] | add' "$fixtures/big/blobs/sha256/${manifest#sha256:}")
layers=$(jq '.layers | length' "$fixtures/big/blobs/sha256/${manifest#sha256:}")

# the registry, on a port it picks itself
mkdir -p "$tmp/registry"
cat >"$tmp/registry.yml" <<YAML
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $tmp/registry
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:0
  secret: pull-bench-$$
YAML
/usr/bin/docker-registry serve "$tmp/registry.yml" >"$tmp/registry.log" 2>&1 &
registry_pid=$!
port=
for _ in $(seq 1 100); do
  port=$(grep -oE 'listening on 127\.0\.0\.1:[0-9]+' "$tmp/registry.log" | head -n 1 | cut -d: -f2 || true)
  [ -n "$port" ] && break
  kill -0 "$registry_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || { cat "$tmp/registry.log" >&2; fail "the registry did not start"; }
image=127.0.0.1:$port/big:latest
skopeo --insecure-policy copy -q --retry-times 5 --dest-tls-verify=false --format v2s2 \
  "oci:$fixtures/big:latest" "docker://$image"

# dockerd, private: own socket, roots, pid file and an empty config; no networking
echo '{}' >"$tmp/daemon.json"
dockerd --config-file "$tmp/daemon.json" -H "unix://$tmp/docker.sock" --data-root "$tmp/docker" \
  --exec-root "$tmp/exec" --pidfile "$tmp/docker.pid" --bridge none --iptables=false --ip-masq=false \
  --ip-forward=false --storage-driver overlay2 >"$tmp/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 1 300); do
  "${docker[@]}" version >/dev/null 2>&1 && break
  kill -0 "$dockerd_pid" 2>/dev/null || { cat "$tmp/dockerd.log" >&2; fail "dockerd exited"; }
  sleep 0.1
done
dockerd_version=$("${docker[@]}" version -f '{{.Server.Version}}') || { tail -n 20 "$tmp/dockerd.log" >&2; fail "dockerd did not come up"; }

# berthd, private likewise
agent_port=$(free_port "$port")
engine_port=$(free_port "$port" "$agent_port")
"$root/bin/berthd" --data-root "$tmp/berth" --exec-root "$tmp/berth-exec" \
  --agent-port "$agent_port" --engine-port "$engine_port" >"$tmp/berthd.log" 2>&1 &
berthd_pid=$!
for _ in $(seq 1 1200); do
  accepts "$agent_port" && accepts "$engine_port" && break
  kill -0 "$berthd_pid" 2>/dev/null || { cat "$tmp/berthd.log" >&2; fail "berthd exited"; }
  sleep 0.1
done
accepts "$agent_port" && accepts "$engine_port" || { tail -n 40 "$tmp/berthd.log" >&2; fail "berthd's ports did not open"; }

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
