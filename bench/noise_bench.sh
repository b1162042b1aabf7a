#!/usr/bin/env bash
# The cost of transient noise (docs/benchmarks.md, "Noise"): `uclif simulate` of the default
# type I neuron (20 ms, the default 10 us / 100 us pulses at 6 V) with noise off, with switching
# jitter only, and with thermal noise at three bandwidths; solver steps, callgrind instructions
# of uclif itself (stable on a shared machine) and wall time (the median of REPS runs).
#   bench/noise_bench.sh [BUILD_DIR] [REPS]        defaults: build 5
set -euo pipefail
cd "$(dirname "$0")/.."
b=${1:-build}
reps=${2:-5}
uclif=$b/uclif
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

printf '%-34s %8s %8s %16s %9s\n' configuration steps spikes instructions wall_s
run() { # NAME, then --set arguments
  local name=$1
  shift
  local out steps spikes ir wall
  out=$("$uclif" simulate --sample 0 -o "$work/o" "$@")
  steps=$(awk '/^solver:/ {print $2}' <<<"$out")
  spikes=$(awk '/^spikes:/ {print $2}' <<<"$out")
  valgrind --tool=callgrind --callgrind-out-file="$work/cg" \
    "$uclif" simulate --sample 0 -o "$work/o" "$@" >/dev/null 2>&1
  ir=$(callgrind_annotate "$work/cg" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  wall=$(for i in $(seq "$reps"); do
    /usr/bin/time -f %e "$uclif" simulate --sample 0 -o "$work/o" "$@" 2>&1 >/dev/null | tail -1
  done | median)
  printf '%-34s %8s %8s %16s %9s\n' "$name" "$steps" "$spikes" "$ir" "$wall"
}
run "noise off"
run "jitter.I_GT = jitter.I_H = 0.05" --set jitter.I_GT=0.05 --set jitter.I_H=0.05
for bw in 100k 1meg 10meg; do
  run "thermal, bandwidth $bw" --set noise.thermal=on --set noise.bandwidth=$bw
done
