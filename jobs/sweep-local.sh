#!/usr/bin/env bash
# Run a sweep on this machine's cores:   jobs/sweep-local.sh SPEC OUT_DIR [NP]
# Resumable: run the same line again after an interruption.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: jobs/sweep-local.sh SPEC OUT_DIR [NP]" >&2
  exit 2
fi
spec=$1
out=$2
np=${3:-$(nproc)}
# the command: $UCLIF, else this checkout's build/release/uclif, else uclif from the PATH
# (an installed copy: cmake --install ... --prefix PREFIX, README "Sweeps on a cluster")
uclif=${UCLIF:-build/release/uclif}
if [ -z "${UCLIF:-}" ] && [ ! -x "$uclif" ]; then uclif=uclif; fi
if ! command -v "$uclif" >/dev/null; then
  echo "jobs/sweep-local.sh: no uclif: build it (README Quick start), install it, or set UCLIF" >&2
  exit 2
fi
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
exec mpirun --oversubscribe -np "$np" "$uclif" sweep "$spec" -o "$out" --resume
