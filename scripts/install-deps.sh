#!/usr/bin/env bash
# Installs the Debian packages Berth's build, tests and benchmarks use. Idempotent.
set -euo pipefail
packages=(
  busybox-static   # the rootfs of test containers
  runc crun        # reference runtimes: differential tests and benchmarks
  jq bc            # used by the benchmark scripts
  docker-registry  # the real Distribution registry the image tests pull from and push to
  skopeo umoci     # build and push fixture images independently of Berth's own code
  apache2-utils    # htpasswd: the basic-auth registry's password file
  postgresql       # lifecycle-service's store is tested on PostgreSQL as well as the embedded H2
  maven            # the build
  procps           # ps: the agent's Top runs the host's ps, as docker top does
  python3-docker   # docker-py: the end-to-end tests run a Python client against berthd and dockerd
  docker.io        # dockerd: the reference of the differential end-to-end test
  bsdutils         # script(1): the end-to-end tests run the CLI in a pseudo-terminal
  libssl3          # libcrypto: the SHA-256 every pulled, stored and unpacked byte goes through
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  # no service starts while installing (docker.io would start a dockerd of its own): the tests start theirs
  policy=/usr/sbin/policy-rc.d
  made_policy=
  [ -e $policy ] || { printf '#!/bin/sh\nexit 101\n' >$policy && chmod 755 $policy && made_policy=1; }
  status=0
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || status=$?
  [ -z "$made_policy" ] || rm -f $policy
  [ "$status" = 0 ] || exit "$status"
fi
