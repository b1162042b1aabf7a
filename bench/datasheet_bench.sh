#!/usr/bin/env bash
# The datasheet's cost (docs/benchmarks.md, "The datasheet"): `uclif characterize` of the default
# type I and type II neurons with and without the datasheet, in callgrind instruction counts of
# uclif itself (stable on a shared machine) and in wall time (the median of REPS runs, gnuplot
# included), with the simulations each took.
#   bench/datasheet_bench.sh [BUILD_DIR] [REPS]        defaults: build 5
set -euo pipefail
cd "$(dirname "$0")/.."
b=${1:-build}
reps=${2:-5}
uclif=$b/uclif
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

printf '%-8s %-14s %6s %16s %10s\n' neuron mode sims instructions wall_s
for neuron in type1 type2; do
  for mode in --no-datasheet datasheet; do
    opt=()
    [ "$mode" = --no-datasheet ] && opt=(--no-datasheet)
    sims=$("$uclif" characterize --set neuron=$neuron "${opt[@]}" -o "$work/o" |
      awk '/simulations,/ {print $1}')
    valgrind --tool=callgrind --callgrind-out-file="$work/cg" \
      "$uclif" characterize --set neuron=$neuron "${opt[@]}" --quiet -o "$work/o" >/dev/null 2>&1
    ir=$(callgrind_annotate "$work/cg" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
    wall=$(for i in $(seq "$reps"); do
      /usr/bin/time -f %e "$uclif" characterize --set neuron=$neuron "${opt[@]}" --quiet \
        -o "$work/o" 2>&1 >/dev/null | tail -1
    done | median)
    printf '%-8s %-14s %6s %16s %10s\n' $neuron $mode "$sims" "$ir" "$wall"
  done
done
