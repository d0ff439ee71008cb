# Shared by the benchmark scripts: a busybox OCI bundle, and medians.

# make_bundle DIR ARGS_JSON: a busybox rootfs and a config.json (runc's defaults, no terminal)
make_bundle() {
  local dir=$1 args=$2
  mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc" "$dir/rootfs/sys" "$dir/rootfs/dev" "$dir/rootfs/tmp" "$dir/rootfs/etc"
  local applet
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$dir/rootfs/bin/$applet"
  done
  cp /bin/busybox "$dir/rootfs/bin/busybox"
  (cd "$dir" && rm -f config.json && runc spec)
  jq --argjson args "$args" '.process.terminal=false | .process.args=$args' "$dir/config.json" > "$dir/config.json.new"
  mv "$dir/config.json.new" "$dir/config.json"
}

# median of the numbers on stdin
median() {
  sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit } if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

now_ms() {
  date +%s%N | awk '{ printf "%.3f\n", $1 / 1000000 }'
}

# a loopback TCP port nobody listens on now (and none of the ports given as arguments)
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    case " $* " in *" $port "*) continue ;; esac
    (: </dev/tcp/127.0.0.1/"$port") 2>/dev/null || { echo "$port"; return; }
  done
}

# true once something accepts connections on the loopback port $1
accepts() {
  (: </dev/tcp/127.0.0.1/"$1") 2>/dev/null
}
