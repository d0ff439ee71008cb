#!/usr/bin/env bash
# Containers, side by side: berthd, Debian's dockerd and podman's Docker-compatible service, all
# driven by the same docker CLI and running the same busybox image, pulled by its full name from
# one local registry. Every container gets --network none: Berth's containers have no network
# yet, so the others go without theirs too. Not a test: numbers, no verdicts.
#
#   bench/container-bench.sh [runs]        (root; default 20)
#   BENCH_ROUNDS=<n> BENCH_CREATED=<n>      rounds of (2), default 3; containers of (3), default 1000
#   BENCH_WARMUP=<n>                        runs of (1) between its cold and warm series, default 40
#
# 1. `docker run --rm --network none IMAGE true`: latency per engine, interleaved, twice: the first 10
#    runs after the engine started (cold: a JVM still compiling), then, after BENCH_WARMUP runs that are
#    not counted, `runs` runs (warm: the steady state of an engine that has been up a while).
# 2. 50 × `docker run -d --network none IMAGE sleep 600` at once (xargs -P 50): wall time and
#    containers per second, BENCH_ROUNDS rounds (default 3); then `docker rm -f` of the 50.
# 3. 1,000 containers created, not started (through the API, 10 at a time: the throughput of the
#    engine, not of 1,000 CLI starts), then the latency of `docker ps -a`, 10 calls each.
# 4. Resident memory of each engine: after start, with the 50 containers of (2) running, after
#    they are removed, with the 1,000 of (3) created; and each engine's memory per running container.
#
# Installs what it lacks, builds Berth when its jars are missing, starts everything privately under
# one temporary directory, and stops and removes all of it at the end (bench/engines.sh).
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
. "$here/engines.sh"
runs=${1:-20}
rounds=${BENCH_ROUNDS:-3}
warmup=${BENCH_WARMUP:-40}
cold_runs=10
parallel=50
created=${BENCH_CREATED:-1000}
create_parallel=10
ps_calls=10
case "$runs$rounds$created$warmup" in *[!0-9]* | '') echo "usage: $0 [runs]   (runs >= 1; BENCH_ROUNDS, BENCH_CREATED >= 1; BENCH_WARMUP >= 0)" >&2; exit 2 ;; esac
[ "$runs" -ge 1 ] && [ "$rounds" -ge 1 ] && [ "$created" -ge 1 ] || { echo "usage: $0 [runs]   (runs >= 1; BENCH_ROUNDS, BENCH_CREATED >= 1; BENCH_WARMUP >= 0)" >&2; exit 2; }

bench_setup docker.io podman
start_registry
image=127.0.0.1:$registry_port/library/busybox:latest
push_fixture busybox "$image"

engines=(berthd dockerd podman)
declare -A socket=([berthd]=$tmp/berth.sock [dockerd]=$tmp/docker.sock [podman]=$tmp/podman.sock)
# cli ENGINE ARGS...: the docker CLI against that engine
cli() {
  local engine=$1
  shift
  docker -H "unix://${socket[$engine]}" "$@"
}
# api ENGINE CURL_ARGS... PATH: one Docker API call (at API 1.41, which all three speak)
api() {
  local engine=$1
  shift
  curl -sf --unix-socket "${socket[$engine]}" "${@:1:$#-1}" "http://localhost/v1.41${*: -1}"
}

# The processes that make up each engine, and what each running container adds to it.
# berthd's services: one JVM
berth_services() { pgrep -P "$berthd_pid" -x java || true; }
berth_shim() { cat "$tmp/berth-exec/shim/shim.pid"; }
# the init zygote the shim forks container inits from
berth_zygote() { pgrep -P "$(berth_shim)" -f 'InitMain.* --zygote' || true; }
# processes by executable name whose command line names the temporary directory
procs_named() {
  local pid
  for pid in $(procs_in_tmp); do
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ] && echo "$pid"
  done
  return 0
}
engine_pids() { # engine_pids ENGINE: the engine's own processes, none per container
  case "$1" in
    berthd) berth_services; berth_zygote ;;
    dockerd) echo "$dockerd_pid"; procs_named containerd ;;
    podman) echo "$podman_pid" ;;
  esac
}
monitor_pids() { # monitor_pids ENGINE: one per container; Berth's one node shim serves them all
  case "$1" in
    berthd) berth_shim ;;
    dockerd) procs_named containerd-shim ;; # comm is cut to 15 characters
    podman) procs_named conmon ;;
  esac
}
mib() { echo "scale=1; $1 / 1024" | bc; }
# memory ENGINE: "engine KiB, monitors KiB (RSS), monitors KiB (PSS), monitor count"
memory() {
  local own monitors
  own=$(engine_pids "$1")
  monitors=$(monitor_pids "$1")
  echo "$(rss_kb $own) $(rss_kb $monitors) $(pss_kb $monitors) $(echo "$monitors" | grep -c . || true)"
}
declare -A mem
# berth_breakdown: Berth's processes one by one, "name MiB" pairs
berth_breakdown() {
  echo "services $(mib "$(rss_kb $(berth_services))")"
  echo "node-shim $(mib "$(rss_kb "$(berth_shim)")")"
  echo "init-zygote $(mib "$(rss_kb $(berth_zygote))")"
}
# snapshot NAME: every engine's memory now, under that name
snapshot() {
  local engine
  sleep 2 # let the processes settle
  for engine in "${engines[@]}"; do mem[$engine.$1]=$(memory "$engine"); done
}
nth() { echo "$2" | awk -v n="$1" '{ print $n }'; }
total_kb() { echo $(($(nth 1 "$1") + $(nth 2 "$1"))); }

# elapsed ms of a command (its output discarded); fails when the command does
elapsed_ms() {
  local start=$EPOCHREALTIME
  "$@" >/dev/null
  echo "scale=1; (${EPOCHREALTIME/./} - ${start/./}) / 1000" | bc
}
# the engines in turn, starting with the ((i % 3))th, so that each goes first as often as the others
rotation() {
  local i=$1 k
  for ((k = 0; k < ${#engines[@]}; k++)); do echo "${engines[$(((i + k) % ${#engines[@]}))]}"; done
}
ratio() { printf '%.2f' "$(echo "scale=4; $1 / $2" | bc)"; }

start_berthd
start_dockerd
start_podman
snapshot start
berth_at_start=$(berth_breakdown | paste -sd' ')
echo "containers: berthd vs dockerd $dockerd_version (--bridge none --iptables=false) vs podman $podman_version (service)"
echo "one docker CLI ($(docker version -f '{{.Client.Version}}' 2>/dev/null)); $image from a local registry; every container --network none"
for engine in "${engines[@]}"; do cli "$engine" pull -q "$image" >/dev/null || fail "$engine: docker pull failed"; done

echo
echo "1. docker run --rm --network none IMAGE true, interleaved: the first $cold_runs runs after start (cold), then"
echo "   after $warmup more (not counted) $runs runs (warm)"
# timed_runs COUNT FILE_PREFIX: COUNT rounds of one run per engine, each engine first in turn
timed_runs() {
  local i engine
  for i in $(seq 1 "$1"); do
    for engine in $(rotation "$i"); do
      elapsed_ms cli "$engine" run --rm --network none "$image" true >>"$tmp/$2.$engine" || fail "$engine: docker run failed"
    done
  done
}
timed_runs "$cold_runs" cold
timed_runs "$warmup" warmup
timed_runs "$runs" run
declare -A run_ms cold_ms
printf '%-10s %12s %10s %15s %10s %10s %10s\n' engine "cold median" "x dockerd" "warm median ms" "min ms" "max ms" "x dockerd"
for engine in "${engines[@]}"; do
  run_ms[$engine]=$(printf '%.1f' "$(median <"$tmp/run.$engine")")
  cold_ms[$engine]=$(printf '%.1f' "$(median <"$tmp/cold.$engine")")
done
for engine in "${engines[@]}"; do
  printf '%-10s %12s %10s %15s %10s %10s %10s\n' "$engine" "${cold_ms[$engine]}" "$(ratio "${cold_ms[$engine]}" "${cold_ms[dockerd]}")" \
    "${run_ms[$engine]}" "$(sort -n "$tmp/run.$engine" | head -n 1)" "$(sort -n "$tmp/run.$engine" | tail -n 1)" \
    "$(ratio "${run_ms[$engine]}" "${run_ms[dockerd]}")"
done
echo "goal: berthd <= 0.5 x dockerd"

# pre_exec_cpu_ms PID...: the CPU time (user + system) these processes had used, on average, in
# ms; for a process that has done nothing since it exec'd its workload (sleep), that is what its
# container's process cost before exec: all of Berth's init (a copy of its zygote, from the
# clone), but only runc init's last stage
declare -A pre_exec_ms
pre_exec_cpu_ms() {
  local pid ticks=0
  for pid in "$@"; do ticks=$((ticks + $(awk '{ print $14 + $15 }' "/proc/$pid/stat"))); done
  echo $((ticks * 1000 / $(getconf CLK_TCK) / $#))
}
snapshot idle

echo
echo "2. $parallel x docker run -d --network none IMAGE sleep 600, $parallel at once (xargs -P $parallel): $rounds rounds"
# start_many ENGINE: the 50 containers; fails unless all 50 run
start_many() {
  seq "$parallel" | xargs -P "$parallel" -I{} docker -H "unix://${socket[$1]}" run -d --network none "$image" sleep 600 \
    >>"$tmp/started.$1" 2>>"$tmp/started.$1.err"
}
for round in $(seq 1 "$rounds"); do
  for engine in $(rotation "$round"); do
    : >"$tmp/started.$engine"
    ms=$(elapsed_ms start_many "$engine") || { cat "$tmp/started.$engine.err" >&2; fail "$engine: not all $parallel containers started"; }
    running=$(cli "$engine" ps -q | wc -l)
    [ "$running" = "$parallel" ] || fail "$engine: $running containers running, not $parallel"
    echo "$ms" >>"$tmp/parallel.$engine"
    # the memory with them running, and the CPU their processes used before exec, once: in the last round
    if [ "$round" = "$rounds" ]; then
      mem[$engine.running]=$(sleep 2 && memory "$engine")
      [ "$engine" != berthd ] || berth_running=$(berth_breakdown | paste -sd' ')
      pre_exec_ms[$engine]=$(pre_exec_cpu_ms $(cli "$engine" inspect -f '{{.State.Pid}}' $(cat "$tmp/started.$engine")))
    fi
    elapsed_ms cli "$engine" rm -f $(cat "$tmp/started.$engine") >>"$tmp/rm.$engine" || fail "$engine: docker rm -f failed"
    [ -z "$(cli "$engine" ps -aq)" ] || fail "$engine: containers left after docker rm -f"
  done
done
declare -A per_s
for engine in "${engines[@]}"; do
  per_s[$engine]=$(echo "scale=2; $parallel * 1000 / $(median <"$tmp/parallel.$engine")" | bc)
done
printf '%-10s %10s %12s %10s %14s %18s\n' engine "median s" "containers/s" "x dockerd" "rm -f of $parallel s" \
  "pre-exec CPU ms"
for engine in "${engines[@]}"; do
  printf '%-10s %10.3f %12s %10s %14.3f %18s\n' "$engine" "$(echo "scale=3; $(median <"$tmp/parallel.$engine") / 1000" | bc)" \
    "${per_s[$engine]}" "$(ratio "${per_s[$engine]}" "${per_s[dockerd]}")" \
    "$(echo "scale=3; $(median <"$tmp/rm.$engine") / 1000" | bc)" "${pre_exec_ms[$engine]}"
done
echo "goal: berthd >= 2 x dockerd's containers/s"
echo "(pre-exec CPU: what each container's process had used when it exec'd sleep, averaged over the last round:"
echo " all of Berth's init, from its clone off the zygote; for dockerd and podman only runc init's last stage,"
echo " not runc's other processes)"
snapshot removed

echo
echo "3. $created containers created, not started (POST /containers/create, $create_parallel at once), then docker ps -a: $ps_calls calls each, interleaved"
body=$(jq -nc --arg image "$image" '{Image: $image, Cmd: ["true"], HostConfig: {NetworkMode: "none"}}')
create_many() {
  seq "$created" | xargs -P "$create_parallel" -I{} curl -sf --unix-socket "${socket[$1]}" -H 'Content-Type: application/json' \
    -d "$body" -o /dev/null http://localhost/v1.41/containers/create
}
remove_all() { # every container, DELETE /containers/{id}, 10 at a time
  api "$1" '/containers/json?all=1' | jq -r '.[].Id' | xargs -r -P "$create_parallel" -I{} \
    curl -sf --unix-socket "${socket[$1]}" -X DELETE -o /dev/null 'http://localhost/v1.41/containers/{}'
}
declare -A create_ms remove_ms
for engine in "${engines[@]}"; do
  create_ms[$engine]=$(elapsed_ms create_many "$engine") || fail "$engine: creating $created containers failed"
  count=$(api "$engine" '/containers/json?all=1' | jq length)
  [ "$count" = "$created" ] || fail "$engine: $count containers, not $created"
done
snapshot created
for engine in "${engines[@]}"; do cli "$engine" ps -a >/dev/null; done # warm-up
for i in $(seq 1 "$ps_calls"); do
  for engine in $(rotation "$i"); do
    elapsed_ms cli "$engine" ps -a >>"$tmp/ps.$engine" || fail "$engine: docker ps -a failed"
  done
done
for engine in "${engines[@]}"; do
  remove_ms[$engine]=$(elapsed_ms remove_all "$engine") || fail "$engine: removing the containers failed"
  [ "$(api "$engine" '/containers/json?all=1' | jq length)" = 0 ] || fail "$engine: containers left after removal"
done
declare -A ps_ms
for engine in "${engines[@]}"; do ps_ms[$engine]=$(printf '%.1f' "$(median <"$tmp/ps.$engine")"); done
printf '%-10s %10s %10s %14s %10s %10s\n' engine "create s" "creates/s" "ps -a median ms" "x dockerd" "remove s"
for engine in "${engines[@]}"; do
  printf '%-10s %10.3f %10.1f %14s %10s %10.3f\n' "$engine" "$(echo "scale=3; ${create_ms[$engine]} / 1000" | bc)" \
    "$(echo "scale=3; $created * 1000 / ${create_ms[$engine]}" | bc)" "${ps_ms[$engine]}" \
    "$(ratio "${ps_ms[$engine]}" "${ps_ms[dockerd]}")" "$(echo "scale=3; ${remove_ms[$engine]} / 1000" | bc)"
done

echo
echo "4. resident memory (RSS, MiB) of each engine, its per-container monitors included"
printf '%-10s %12s %10s %14s %12s %14s\n' engine "after start" "after 1." "$parallel running" "none again" "$created created"
for engine in "${engines[@]}"; do
  printf '%-10s %12s %10s %14s %12s %14s\n' "$engine" "$(mib "$(total_kb "${mem[$engine.start]}")")" \
    "$(mib "$(total_kb "${mem[$engine.idle]}")")" "$(mib "$(total_kb "${mem[$engine.running]}")")" \
    "$(mib "$(total_kb "${mem[$engine.removed]}")")" "$(mib "$(total_kb "${mem[$engine.created]}")")"
done
echo "berthd's processes (MiB), after start: $berth_at_start"
echo "                      with $parallel running: $berth_running"
echo "memory per running container (its monitor), with $parallel running:"
shim_growth=$(($(nth 2 "${mem[berthd.running]}") - $(nth 2 "${mem[berthd.idle]}")))
printf '  %-10s %6s KiB RSS   (the node shim: with %d running minus after 1., / %d)\n' berthd \
  "$((shim_growth / parallel))" "$parallel" "$parallel"
for engine in dockerd podman; do
  m=${mem[$engine.running]}
  printf '  %-10s %6s KiB RSS, %s KiB PSS   (%d %s, averaged)\n' "$engine" "$(($(nth 2 "$m") / $(nth 4 "$m")))" \
    "$(($(nth 3 "$m") / $(nth 4 "$m")))" "$(nth 4 "$m")" "$([ "$engine" = dockerd ] && echo containerd-shim-runc-v2 || echo conmon)"
done
echo "(berthd: the JVM of engine-service, runtime agent, lifecycle-service and gateway, the node shim and its init"
echo " zygote; dockerd: dockerd and containerd, plus a containerd-shim-runc-v2 per running container;"
echo " podman: the service, plus a conmon per running container. goal: <= 1 MiB per container)"
