#!/usr/bin/env bash
# Records JDK AOT caches for the two JVMs on a container's critical path: the container init
# (init.aot, from its dry run) and the berth-runc command line (cli.aot, from `features`, and
# from a real `run` of a busybox container when we are root and busybox-static is installed).
# A cache only serves the exact JVM and classpath it was recorded with; the build runs this on
# target/runtime after packaging. Usage: train-aot.sh <runtime-dir> <java>
set -euo pipefail
lib=$(cd "$1" && pwd)
java=$2
jar=$(ls "$lib"/runtime-agent-*-runtime.jar | head -n 1)
cp="$jar:$lib/jna.jar"
case "$(uname -m)" in
  x86_64) native="$lib/native/com/sun/jna/linux-x86-64" ;;
  aarch64) native="$lib/native/com/sun/jna/linux-aarch64" ;;
  *) native="$lib/native/com/sun/jna/linux-$(uname -m)" ;;
esac
flags=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData --enable-native-access=ALL-UNNAMED
  -Djna.boot.library.path="$native" -Djna.nosys=true -Djna.nounpack=true -Xlog:disable)
rm -f "$lib/init.aot" "$lib/cli.aot"
"$java" "${flags[@]}" -Djna.platform.library.path= -Xmx64m -Xss512k -Xms4m -XX:ReservedCodeCacheSize=8m -XX:CICompilerCount=1 \
  -XX:AOTCacheOutput="$lib/init.aot" -cp "$cp" dev.berth.runtime.init.InitMain --train
if [ "$(id -u)" = 0 ] && [ -x /bin/busybox ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/b/rootfs/bin" "$work/b/rootfs/proc" "$work/b/rootfs/dev" "$work/b/rootfs/sys"
  cp /bin/busybox "$work/b/rootfs/bin/busybox"
  ln -s busybox "$work/b/rootfs/bin/true"
  (cd "$work/b" && "$java" "${flags[@]}" -cp "$cp" dev.berth.runtime.cli.RuncCli spec)
  # a cgroup of its own at the top level, so that deleting the container leaves no parent behind
  sed -i 's/"terminal": true/"terminal": false/; s/"sh"/"\/bin\/true"/; s/"linux": {/"linux": {"cgroupsPath": "\/berth-aot-training-'$$'",/' \
    "$work/b/config.json"
  (cd "$work/b" && "$java" "${flags[@]}" -XX:AOTCacheOutput="$lib/cli.aot" -cp "$cp" \
    dev.berth.runtime.cli.RuncCli --root "$work/state" run --bundle . aot-training >/dev/null)
else
  "$java" "${flags[@]}" -XX:AOTCacheOutput="$lib/cli.aot" -cp "$cp" dev.berth.runtime.cli.RuncCli features >/dev/null
fi
echo "AOT caches: $(ls "$lib"/*.aot | xargs -n1 basename | tr '\n' ' ')"
