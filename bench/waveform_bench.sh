#!/usr/bin/env bash
# The waveform-writing benchmark of docs/benchmarks.md, in callgrind instruction counts (stable on
# a shared machine, unlike wall time):
#  1. per value: bench_format formatting the values of a real waveform.csv (a default type I
#     `uclif simulate` of sweeps/examples/type1-single.ini) with snprintf("%.17g"),
#     snprintf("%.9g"), ucl_csv_format_double and ucl_csv_format_sample, minus the run that only
#     reads the values;
#  2. the whole `uclif simulate` of that spec with the waveform written: total instructions and
#     those of ucl_sim_write_csv (inclusive), per value written.
#   bench/waveform_bench.sh [BUILD_DIR] [OTHER_UCLIF]
# OTHER_UCLIF: a second uclif binary (e.g. one built from an older commit) measured the same way
# in step 2, for a before/after comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
b=${1:-build}
other=${2:-}
n=200000
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
spec=sweeps/examples/type1-single.ini

# instructions of a command under callgrind (function 'fn' inclusive, or the program total)
ir() { # fn out-file command...
  local fn=$1 out=$2
  shift 2
  valgrind --tool=callgrind --callgrind-out-file="$out" "$@" >/dev/null 2>&1
  if [ "$fn" = total ]; then
    callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
  else
    callgrind_annotate --inclusive=yes "$out" 2>/dev/null |
      awk -v fn="$fn" '$0 ~ ":" fn " " { gsub(",", "", $1); print $1; exit }'
  fi
}

"$b/uclif" simulate "$spec" --out "$work/wave" --quiet
rows=$(($(wc -l <"$work/wave/waveform.csv") - 1))
cols=$(head -1 "$work/wave/waveform.csv" | tr ',' '\n' | wc -l)
echo "waveform.csv of $spec: $rows rows x $cols columns = $((rows * cols)) values"

echo "1. formatting one value ($n values of that waveform.csv, callgrind):"
base=$(ir total "$work/none.cg" "$b/bench_format" none $n "$work/wave/waveform.csv")
for m in snprintf17 snprintf9 double sample; do
  t=$(ir total "$work/$m.cg" "$b/bench_format" $m $n "$work/wave/waveform.csv")
  awk -v m=$m -v t="$t" -v b="$base" -v n=$n 'BEGIN { printf "   %-11s %6.0f instructions per value\n", m, (t - b) / n }'
done

echo "2. the whole uclif simulate $spec (callgrind):"
for u in "$b/uclif" $other; do
  rm -rf "$work/o"
  tot=$(ir total "$work/sim.cg" "$u" simulate "$spec" --out "$work/o" --quiet)
  wr=$(callgrind_annotate --inclusive=yes "$work/sim.cg" 2>/dev/null |
    awk '$0 ~ ":ucl_sim_write_csv " { gsub(",", "", $1); print $1; exit }')
  vals=$(($(wc -l <"$work/o/waveform.csv") - 1))
  vals=$((vals * cols))
  awk -v u="$u" -v t="$tot" -v w="$wr" -v v="$vals" -v s="$(wc -c <"$work/o/waveform.csv")" 'BEGIN {
    printf "   %s: %.1f M instructions, ucl_sim_write_csv %.1f M (%.0f %%), %.0f per value written; waveform.csv %d bytes\n",
      u, t / 1e6, w / 1e6, 100 * w / t, w / v, s }'
done
