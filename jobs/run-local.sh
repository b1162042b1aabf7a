#!/usr/bin/env bash
# The main job on this machine: build uclif and run the paper reproductions (Fig. 2 staircase,
# Fig. 3 adaptation, the single-neuron example) on all local cores, one simulation per core,
# writing results/<name>/{waveform,events}.csv and results/summary.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DUCL_BUILD_TESTS=OFF >/dev/null
cmake --build build/release -j"$(nproc)" --target uclif_cli
mkdir -p results
ls sweeps/paper/*.ini sweeps/examples/*.ini |
  xargs -P "$(nproc)" -I{} sh -c \
    'n=$(basename {} .ini); build/release/uclif simulate {} --sample 2u --out results/$n > results/$n.log 2>&1 || echo "FAILED: {} (results/$n.log)"'
: >results/summary.txt
for log in results/*.log; do
  { echo "== $(basename "$log" .log)"; cat "$log"; echo; } >>results/summary.txt
done
cat results/summary.txt
