#!/usr/bin/env bash
# The two SCR forms on the benchmark configuration (sweeps/examples/type1-single.ini: type I,
# 6 V, 10 us / 100 us pulses, 20 ms), in the same run: uclif's wall time per simulation
# (in-process, bench_simulate, no output) and its CVODE work (uclif simulate's summary), where its
# steps go (step_profile), and ngspice's time for the netlist `uclif netlist` writes of the same
# configuration (1 ns pulse edges, SPICE needs them; its spikes counted as uclif counts them).
#   bench/scr_forms.sh [BUILD_DIR] [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
b=${1:-build}
reps=${2:-20}
spec=sweeps/examples/type1-single.ini
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v ngspice >/dev/null || { echo "ngspice is not installed" >&2; exit 1; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); $(ngspice --version 2>/dev/null | grep -o 'ngspice-[0-9]*' | head -1)"
# uclif's latches in ngspice's data (column 10: the hybrid's state s, the two-transistor form's
# anode current), with the same levels as uclif's events
spice_spikes() { # data lo hi
  gawk -v U="$2" -v L="$3" '{ s = $10 + 0; t = $1 + 0;
    if (NR > 1) { if (!on && ps < L && s >= L) { on = 1; n++ } else if (on && ps >= U && s < U) on = 0 }
    ps = s; pt = t } END { print n + 0 }' "$1"
}
for form in hybrid two_transistor; do
  set=(--set scr.model=$form)
  echo "== scr.model = $form"
  "$b/bench_simulate" -n "$reps" scr.model=$form | grep -E "spikes|wall|steps"
  "$b/uclif" simulate "$spec" "${set[@]}" --sample 0 --out "$work/u" | grep -E "^solver"
  "$b/step_profile" scr.model=$form | sed -n '2,5p'
  "$b/uclif" netlist "$spec" "${set[@]}" --data "$work/s.data" -o "$work/s.cir"
  start=$(date +%s.%N)
  ngspice -b "$work/s.cir" >"$work/s.log" 2>&1 || true # exits 1 without .print lines
  ts=$(echo "$(date +%s.%N) - $start" | bc -l)
  if [ $form = hybrid ]; then lv="0.5 0.5"; else lv="5e-5 4e-4"; fi
  echo "ngspice (tmax 1 us, reltol 1e-4): $(printf %.2f "$ts") s, $(spice_spikes "$work/s.data" $lv) spikes"
done
