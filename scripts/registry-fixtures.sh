#!/usr/bin/env bash
# Builds the images that Berth's registry tests push into a real registry (Distribution, on
# loopback) and pull back with Berth. They are made with umoci, skopeo, tar and jq from Debian's
# busybox-static, never with Berth's own code, so that a bug in Berth's image handling cannot
# hide in its fixtures as well.
#
# Usage: scripts/registry-fixtures.sh <out-dir>
#
# Every fixture is an OCI image layout <out-dir>/<name>, its image tagged "latest":
#
#   busybox       one gzip layer (application/vnd.oci.image.layer.v1.tar+gzip): /bin/busybox, its
#                 common applets as symlinks in /bin, /usr/bin/env, /tmp (1777), /root, and
#                 /etc/passwd and /etc/group holding root and nobody. Config: linux/amd64,
#                 Cmd ["sh"], Env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin,
#                 labels dev.berth.fixture=busybox and org.opencontainers.image.title=busybox,
#                 history: the layer, then an empty_layer entry for the config.
#   busybox-zstd  the same layer content and the same config, the layer compressed with zstd
#                 (application/vnd.oci.image.layer.v1.tar+zstd); push it with --preserve-digests,
#                 or skopeo turns it back into gzip.
#   layered       two gzip layers. Lower: the busybox content plus /a/keep, /a/remove-me,
#                 /opaque/old1 and /opaque/old2. Upper: /a/.wh.remove-me (a whiteout),
#                 /opaque/.wh..wh..opq (an opaque directory), /opaque/new and /a/added. Unpacked,
#                 the image has /a/keep, /a/added and /opaque/new, and neither old file.
#   multiarch     an OCI image index with two platforms: linux/amd64 (the busybox layer, a config
#                 labelled dev.berth.platform=amd64) and linux/arm64 (the same layer, never to
#                 be run, and a config with architecture arm64 labelled dev.berth.platform=arm64).
#   big           busybox plus a second gzip layer holding /big/random: 100 MiB from /dev/urandom.
#
# Idempotent: nothing is rebuilt while <out-dir>/.complete holds the stamp of this script and of
# /bin/busybox; any change to either rebuilds everything. Concurrent runs wait for each other.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 <out-dir>" >&2
	exit 2
fi
for tool in umoci skopeo jq tar sha256sum flock; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
[ -x /bin/busybox ] || { echo "$0: /bin/busybox is missing (Debian package busybox-static)" >&2; exit 1; }

out=$(mkdir -p "$1" && cd "$1" && pwd)
stamp="registry-fixtures $(cat "$(readlink -f "$0")" /bin/busybox | sha256sum | cut -c1-16)"
exec 9>"$out/.lock"
flock 9
if [ "$(cat "$out/.complete" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi
find "$out" -mindepth 1 -maxdepth 1 ! -name .lock -exec rm -rf {} +
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# umoci writes layer entries owned by whoever runs it; unprivileged, it has to pretend to be root.
rootless=()
[ "$(id -u)" = 0 ] || rootless=(--rootless)

applets=(sh ash ls cat echo true false sleep id env pwd mkdir rmdir rm cp mv ln touch chmod chown
	ps kill head tail wc grep sed awk sort uniq tr cut tee test '[' printf date hostname uname whoami
	stat readlink find xargs dd du df mount umount ip ping nc wget vi less seq yes nproc basename
	dirname expr sync timeout which)

# The busybox root filesystem, into the directory $1.
busybox_rootfs() {
	local root=$1 applet
	mkdir -p "$root"/{bin,etc,root,usr/bin,tmp}
	chmod 1777 "$root/tmp"
	chmod 700 "$root/root"
	cp /bin/busybox "$root/bin/busybox"
	for applet in "${applets[@]}"; do
		ln -s busybox "$root/bin/$applet"
	done
	ln -s /bin/busybox "$root/usr/bin/env"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
	printf 'root:x:0:\nnobody:x:65534:\n' >"$root/etc/group"
}

# A new layout $1 whose "latest" is one layer made of what the function $2 writes into a rootfs.
new_image() {
	local layout=$1 populate=$2 bundle="$work/bundle-$(basename "$1")"
	umoci init --layout "$layout"
	umoci new --image "$layout:latest"
	umoci unpack "${rootless[@]}" --image "$layout:latest" "$bundle"
	"$populate" "$bundle/rootfs"
	umoci repack --image "$layout:latest" --history.created_by "registry-fixtures.sh: $populate" "$bundle"
	umoci config --image "$layout:latest" --os linux --architecture amd64 \
		--config.cmd sh --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		--config.label "dev.berth.fixture=$(basename "$layout")" \
		--config.label "org.opencontainers.image.title=$(basename "$layout")" \
		--history.created_by 'registry-fixtures.sh: config'
}

# busybox
new_image "$out/busybox" busybox_rootfs

# busybox-zstd: skopeo recompresses the gzip layer; the config, and so the diff_id, stay as they are.
skopeo --insecure-policy copy -q --dest-compress --dest-compress-format zstd \
	"oci:$out/busybox:latest" "oci:$out/busybox-zstd:latest"

# layered: the lower layer from umoci, the upper one as a hand-made tar: umoci writes an opaque
# directory only through `insert --opaque`, one layer per insert, never next to a whiteout.
layered_lower() {
	busybox_rootfs "$1"
	mkdir -p "$1/a" "$1/opaque"
	echo keep >"$1/a/keep"
	echo remove-me >"$1/a/remove-me"
	echo old1 >"$1/opaque/old1"
	echo old2 >"$1/opaque/old2"
}
new_image "$out/layered" layered_lower
upper="$work/upper"
mkdir -p "$upper/a" "$upper/opaque"
: >"$upper/a/.wh.remove-me"
: >"$upper/opaque/.wh..wh..opq"
echo new >"$upper/opaque/new"
echo added >"$upper/a/added"
tar -C "$upper" --format=ustar --sort=name --owner=0 --group=0 --numeric-owner -cf "$work/upper.tar" a opaque
umoci raw add-layer --image "$out/layered:latest" --history.created_by 'registry-fixtures.sh: whiteouts' "$work/upper.tar"

# multiarch: both platform images in one layout, then an index over them as its "latest".
multi="$out/multiarch"
cp -a "$out/busybox" "$multi"
for arch in amd64 arm64; do
	umoci config --image "$multi:latest" --tag "$arch" --architecture "$arch" \
		--config.label "dev.berth.fixture=multiarch" --config.label "dev.berth.platform=$arch" --no-history
done
index=$(jq -c '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
		manifests: [.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] | IN("amd64", "arm64"))
			| {mediaType, digest, size, platform: {architecture: .annotations["org.opencontainers.image.ref.name"], os: "linux"}}]}' \
	"$multi/index.json")
index_hex=$(printf '%s' "$index" | sha256sum | cut -d' ' -f1)
printf '%s' "$index" >"$multi/blobs/sha256/$index_hex"
jq -c --arg digest "sha256:$index_hex" --argjson size "${#index}" \
	'.manifests = [{mediaType: "application/vnd.oci.image.index.v1+json", digest: $digest, size: $size,
		annotations: {"org.opencontainers.image.ref.name": "latest"}}]' \
	"$multi/index.json" >"$work/index.json"
mv "$work/index.json" "$multi/index.json"
umoci gc --layout "$multi"

# big
cp -a "$out/busybox" "$out/big"
mkdir -p "$work/big"
head -c 100M /dev/urandom >"$work/big/random"
umoci insert "${rootless[@]}" --image "$out/big:latest" --history.created_by 'registry-fixtures.sh: 100 MiB of random' \
	"$work/big/random" /big/random

echo "$stamp" >"$out/.complete"
