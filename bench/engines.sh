# Shared by the benchmark scripts that run whole engines side by side (pull-bench.sh,
# container-bench.sh): installing what they need, one private temporary directory, a local
# registry, and private instances of dockerd, podman's service and berthd, each with its own
# socket, roots and ports; and the cleanup that stops all of it and leaves nothing behind.
# Source it with $here set to bench/ (it sources lib.sh, and sets $root to the repository and
# $bench to the script's name), then call bench_setup.
root=$(cd "$here/.." && pwd)
bench=$(basename "$0" .sh)
. "$here/lib.sh"

# bench_setup [PACKAGE...]: checks for root, installs what is missing (Berth's dependencies and
# the reference engines' packages named), builds Berth when its jars are missing, makes $tmp and
# arms the cleanup
bench_setup() {
  if [ "$(id -u)" != 0 ]; then
    echo "$bench: the engines need root: run as root" >&2
    exit 1
  fi
  "$root/scripts/install-deps.sh"
  # the reference engines only here: Berth's tests never need them
  install_packages "$@"
  . "$root/scripts/java-home.sh"
  if [ -z "$(jar_of runtime-agent)" ] || [ -z "$(jar_of engine-service)" ] || [ -z "$(jar_of contracts)" ] \
    || [ -z "$(jar_of lifecycle-service)" ] || [ -z "$(jar_of api-gateway)" ]; then
    echo "Building Berth (mvn package)…"
    (cd "$root" && mvn -B -q -ntp -DskipTests package)
  fi
  tmp=$(mktemp -d "/tmp/berth-$bench.XXXXXX")
  export DOCKER_CONFIG=$tmp/docker-cli # the CLI's config: none of the host's
  registry_pid= dockerd_pid= berthd_pid= podman_pid=
  cleanup_hooks=()
  # What dockerd and podman make outside their roots whatever their flags say: files and state
  # removed at the end when this run made them, and parent directories removed when left empty.
  host_clutter=(/etc/docker/key.json /run/docker/plugins /etc/containers/networks /run/containers /run/libpod
    /var/lib/containers/cache)
  host_dirs=(/etc/docker /run/docker /var/lib/containers)
  host_paths_before=()
  local path
  for path in "${host_clutter[@]}" "${host_dirs[@]}"; do
    [ -e "$path" ] && host_paths_before+=("$path")
  done
  cgroups_before=$(cgroup_dirs)
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# install_packages PACKAGE...: the Debian packages missing among these, with no service started
install_packages() {
  local missing=() package policy=/usr/sbin/policy-rc.d made_policy= status=0
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "Installing: ${missing[*]}"
  # a policy that forbids starting services, unless the host has its own already
  [ -e $policy ] || { printf '#!/bin/sh\nexit 101\n' >$policy && chmod 755 $policy && made_policy=1; }
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || status=$?
  [ -z "$made_policy" ] || rm -f $policy
  return "$status"
}

jar_of() { ls "$root/$1"/target/"$1"-*-SNAPSHOT.jar 2>/dev/null | grep -v -- -runtime.jar | head -n 1 || true; }

fail() {
  echo "$bench: $*" >&2
  exit 1
}

# Processes whose command line names the temporary directory (read without forking, so the probe
# never finds itself): clients, berthd's JVMs, the node shim and its inits, dockerd, containerd and
# its shims, podman, conmon.
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
  echo "$bench: $pid ignored SIGTERM for ${grace}s; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

# The parents of the three engines' container cgroups, in each hierarchy (cgroup v1 and cgroup2).
# The engines remove their containers' cgroups themselves; other Berth instances on this machine
# may have containers under berth/ at any time, so nothing below a parent is ever touched here.
cgroup_dirs() {
  local dir
  for dir in /sys/fs/cgroup/*/berth /sys/fs/cgroup/*/docker /sys/fs/cgroup/*/libpod_parent \
    /sys/fs/cgroup/berth /sys/fs/cgroup/docker /sys/fs/cgroup/libpod_parent; do
    [ -d "$dir" ] && echo "$dir"
  done | sort
  return 0
}

# remove_all_containers CLI...: every container of that engine, removed with force
remove_all_containers() {
  local ids
  ids=$(timeout 60 "$@" ps -aq 2>/dev/null) || return 0
  [ -z "$ids" ] || echo "$ids" | timeout 300 xargs -r -n 50 "$@" rm -f >/dev/null 2>&1 || true
}

bench_cleanup() {
  local status=$? pid mnt hook path dir
  set +e
  trap - EXIT INT TERM
  for hook in "${cleanup_hooks[@]}"; do "$hook"; done
  # containers first, while their engines still run (Berth's outlive berthd by design)
  [ -z "$berthd_pid" ] || remove_all_containers "${berth_cli[@]}"
  [ -z "$dockerd_pid" ] || remove_all_containers "${dockerd_cli[@]}"
  [ -z "$podman_pid" ] || remove_all_containers "${podman_cli[@]}"
  # berthd stops its services on SIGTERM; the node shim outlives them by design, so it goes by
  # its pid file, and the container inits it keeps warm end with it (or are killed below)
  stop "$berthd_pid" 30
  stop "$(cat "$tmp/berth-exec/shim/shim.pid" 2>/dev/null)" 10
  stop "$dockerd_pid" 30 # takes its containerd along
  stop "$podman_pid" 30
  stop "$registry_pid" 5
  sleep 0.5
  for pid in $(procs_in_tmp); do
    echo "$bench: left over, killed: $pid $(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null)" >&2
    kill -KILL "$pid" 2>/dev/null
  done
  for mnt in $(awk -v t="$tmp" '$5 == t || index($5, t "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
    umount "$mnt" 2>/dev/null || umount -l "$mnt"
  done
  rm -rf "$tmp"
  for path in "${host_clutter[@]}"; do
    [[ " ${host_paths_before[*]} " == *" $path "* ]] || rm -rf "$path"
  done
  for path in "${host_dirs[@]}"; do
    [[ " ${host_paths_before[*]} " == *" $path "* ]] || rmdir "$path" 2>/dev/null
  done
  # the parents this run made, when empty (one still in use belongs to another engine's containers),
  # with the cgroup podman keeps its conmons in
  for dir in $(comm -13 <(echo "$cgroups_before") <(cgroup_dirs)); do
    rmdir "$dir/conmon" "$dir" 2>/dev/null
  done
  exit "$status"
}

# start_registry: Distribution on a loopback port it picks itself (sets $registry_port)
start_registry() {
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
  secret: $bench-$$
YAML
  /usr/bin/docker-registry serve "$tmp/registry.yml" >"$tmp/registry.log" 2>&1 &
  registry_pid=$!
  registry_port=
  for _ in $(seq 1 100); do
    registry_port=$(grep -oE 'listening on 127\.0\.0\.1:[0-9]+' "$tmp/registry.log" | head -n 1 | cut -d: -f2 || true)
    [ -n "$registry_port" ] && break
    kill -0 "$registry_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$registry_port" ] || { cat "$tmp/registry.log" >&2; fail "the registry did not start"; }
}

# push_fixture NAME REFERENCE: a scripts/registry-fixtures.sh image into the registry, as Docker
# schema 2 (BERTH_FIXTURES=<dir> reuses a built set of fixtures)
push_fixture() {
  fixtures=${BERTH_FIXTURES:-$tmp/fixtures}
  "$root/scripts/registry-fixtures.sh" "$fixtures" >"$tmp/fixtures.log" 2>&1 || { cat "$tmp/fixtures.log" >&2; fail "building fixtures failed"; }
  skopeo --insecure-policy copy -q --retry-times 5 --dest-tls-verify=false --format v2s2 \
    "oci:$fixtures/$1:latest" "docker://$2"
}

# wait_for_engine NAME PID LOG CLI...: until the engine answers `docker version`
wait_for_engine() {
  local name=$1 pid=$2 log=$3
  shift 3
  for _ in $(seq 1 1200); do
    "$@" version >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { tail -n 40 "$log" >&2; fail "$name exited"; }
    sleep 0.1
  done
  tail -n 40 "$log" >&2
  fail "$name did not come up"
}

# start_dockerd: private: own socket, roots, pid file and an empty config; no networking
start_dockerd() {
  echo '{}' >"$tmp/daemon.json"
  dockerd --config-file "$tmp/daemon.json" -H "unix://$tmp/docker.sock" --data-root "$tmp/docker" \
    --exec-root "$tmp/exec" --pidfile "$tmp/docker.pid" --bridge none --iptables=false --ip-masq=false \
    --ip-forward=false --storage-driver overlay2 >"$tmp/dockerd.log" 2>&1 &
  dockerd_pid=$!
  dockerd_cli=(docker -H "unix://$tmp/docker.sock")
  wait_for_engine dockerd "$dockerd_pid" "$tmp/dockerd.log" "${dockerd_cli[@]}"
  dockerd_version=$("${dockerd_cli[@]}" version -f '{{.Server.Version}}')
}

# start_berthd: private likewise: own socket, data and exec roots, free ports for every service
start_berthd() {
  agent_port=$(free_port ${registry_port:-})
  engine_port=$(free_port ${registry_port:-} "$agent_port")
  local lifecycle_port management_port
  lifecycle_port=$(free_port ${registry_port:-} "$agent_port" "$engine_port")
  management_port=$(free_port ${registry_port:-} "$agent_port" "$engine_port" "$lifecycle_port")
  "$root/bin/berthd" -H "unix://$tmp/berth.sock" --data-root "$tmp/berth" --exec-root "$tmp/berth-exec" \
    --agent-port "$agent_port" --engine-port "$engine_port" --lifecycle-port "$lifecycle_port" \
    --management-port "$management_port" "$@" >"$tmp/berthd.log" 2>&1 &
  berthd_pid=$!
  berth_cli=(docker -H "unix://$tmp/berth.sock")
  wait_for_engine berthd "$berthd_pid" "$tmp/berthd.log" "${berth_cli[@]}"
  accepts "$agent_port" && accepts "$engine_port" || { tail -n 40 "$tmp/berthd.log" >&2; fail "berthd's ports did not open"; }
}

# start_podman: podman's Docker-compatible service, private: its own storage (overlay), run root,
# tmp dir and network config; a registries.conf that reaches the local registry over HTTP; runc as
# dockerd has it (crun refuses this host's hybrid cgroup layout); cgroupfs (no systemd here); events
# to a file. Its default rlimits (nofile 1048576, nproc above the 32768 podman keeps for itself) are
# more than runc may set without CAP_SYS_RESOURCE: its containers get the host's hard nofile limit
# (what dockerd's inherit) and nproc 32768.
start_podman() {
  mkdir -p "$tmp/podman"
  cat >"$tmp/podman/registries.conf" <<TOML
unqualified-search-registries = []
[[registry]]
location = "127.0.0.1:${registry_port:-5000}"
insecure = true
TOML
  cat >"$tmp/podman/containers.conf" <<TOML
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=32768:32768"]
TOML
  podman_flags=(--root "$tmp/podman/root" --runroot "$tmp/podman/run" --tmpdir "$tmp/podman/tmp"
    --storage-driver overlay --runtime runc --cgroup-manager cgroupfs --events-backend file
    --network-config-dir "$tmp/podman/networks")
  CONTAINERS_REGISTRIES_CONF=$tmp/podman/registries.conf CONTAINERS_CONF=$tmp/podman/containers.conf \
    podman "${podman_flags[@]}" system service --time=0 "unix://$tmp/podman.sock" >"$tmp/podman.log" 2>&1 &
  podman_pid=$!
  podman_cli=(docker -H "unix://$tmp/podman.sock")
  wait_for_engine podman "$podman_pid" "$tmp/podman.log" "${podman_cli[@]}"
  podman_version=$(podman --version | awk '{ print $3 }')
}

# rss_kb PID...: the resident set of these processes, summed, in KiB (0 for none)
rss_kb() { status_kb VmRSS status "$@"; }

# pss_kb PID...: the proportional set (shared pages split among their users), summed, in KiB
pss_kb() { status_kb Pss smaps_rollup "$@"; }

# status_kb FIELD FILE PID...: a "FIELD: n kB" line of /proc/PID/FILE, summed over the processes
status_kb() {
  local field=$1 file=$2 pid total=0 kb
  shift 2
  for pid in "$@"; do
    kb=$(awk -v f="$field:" '$1 == f { print $2 }' "/proc/$pid/$file" 2>/dev/null) || kb=0
    total=$((total + ${kb:-0}))
  done
  echo "$total"
}
