#!/usr/bin/env bash
# The main job on this machine: build uclif, then on all local cores characterize the example
# neurons (sweeps/examples/*-characterize.ini) and simulate the paper's figures
# (sweeps/paper/*.ini), one job per core. Writes results/<name>/ and results/summary.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DUCL_BUILD_TESTS=OFF >/dev/null
cmake --build build/release -j"$(nproc)" --target uclif_cli
mkdir -p results
{
  for f in sweeps/examples/*-characterize.ini; do echo "characterize $f"; done
  for f in sweeps/paper/*.ini; do echo "simulate $f"; done
} | xargs -P "$(nproc)" -L 1 sh -c \
  'n=$(basename "$1" .ini); case "$0" in simulate) extra="--sample 2u";; *) extra="";; esac;
   build/release/uclif "$0" "$1" $extra --out "results/$n" > "results/$n.log" 2>&1 ||
   echo "FAILED: $0 $1 (results/$n.log)"'
: >results/summary.txt
for log in results/*.log; do
  { echo "== $(basename "$log" .log)"; cat "$log"; echo; } >>results/summary.txt
done
cat results/summary.txt
