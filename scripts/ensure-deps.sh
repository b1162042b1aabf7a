#!/usr/bin/env bash
# Install the Debian packages the build needs when any is missing (apt-get update once, then
# apt-get install -y). Does nothing when all are present. Extra package names may be given
# as arguments (the tests add clang and its libFuzzer runtime).
set -euo pipefail
pkgs=(cmake make gcc gawk gnuplot-nox libsundials-dev libsuitesparse-dev libcmocka-dev libcsv-dev libgsl-dev libnlopt-dev libopenmpi-dev zlib1g-dev openmpi-bin "$@")
missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-deps: missing Debian packages: ${missing[*]} (install them, or run as root)" >&2
  exit 2
fi
echo "ensure-deps: installing ${missing[*]}"
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
