#!/usr/bin/env bash
# uclif against ngspice on the same circuit and protocol, in the same run: the default type I
# neuron, 6 V, 10 us / 100 us pulses (1 ns edges), 20 ms. Each simulator's spike-time error is
# measured against a reference (uclif at rtol 1e-10, whose model the netlist reproduces), so the
# speed ratio is read at known accuracy.   bench/vs_ngspice.sh [BUILD_DIR] [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
b=${1:-build}
reps=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
common=(--set rise=1n --set fall=1n --set amplitude=6 --set duration=20m)
latches() { gawk -F, 'NR > 1 && $2 ~ /^"?latch"?$/ { print $1 }' "$1"; }
spice_latches() { gawk '{ s = $10 + 0; t = $1 + 0; if (NR > 1 && ps < 0.5 && s >= 0.5) print pt + (0.5 - ps) * (t - pt) / (s - ps); ps = s; pt = t }' "$1"; }
maxdiff() { paste "$1" "$2" | gawk '{ d = $1 - $2; if (d < 0) d = -d; if (d > m) m = d; n++ } END { printf "%.3g s over %d spikes", m, n }'; }

"$b/uclif" simulate "${common[@]}" --set rtol=1e-10 --sample 0 --out "$work/ref" --quiet
latches "$work/ref/events.csv" >"$work/ref.t"

# uclif, default tolerances
start=$(date +%s.%N)
for _ in $(seq "$reps"); do
  "$b/uclif" simulate "${common[@]}" --sample 0 --out "$work/u" --quiet
done
tu=$(echo "($(date +%s.%N) - $start) / $reps" | bc -l)
latches "$work/u/events.csv" >"$work/u.t"
echo "uclif   (rtol 1e-4):         $(printf %.4f "$tu") s per run (process start included); spike-time error $(maxdiff "$work/u.t" "$work/ref.t")"

for cfg in "1u 1e-4" "0.1u 1e-5"; do
  set -- $cfg
  "$b/uclif" netlist "${common[@]}" --tmax "$1" --reltol "$2" --data "$work/s.data" -o "$work/s.cir"
  start=$(date +%s.%N)
  for _ in $(seq "$reps"); do
    ngspice -b "$work/s.cir" >"$work/s.log" 2>&1 || true
  done
  ts=$(echo "($(date +%s.%N) - $start) / $reps" | bc -l)
  spice_latches "$work/s.data" >"$work/s.t"
  echo "ngspice (tmax $1, reltol $2): $(printf %.4f "$ts") s per run; spike-time error $(maxdiff "$work/s.t" "$work/ref.t"); uclif is $(printf %.0f "$(echo "$ts / $tu" | bc -l)") x faster"
done
