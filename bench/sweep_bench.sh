#!/usr/bin/env bash
# The sweep benchmarks of docs/benchmarks.md:
#  1. parallel efficiency of 2 ranks over 1 on bench/sweep-200.ini (200 points);
#  2. the time per point spent outside the characterization (manifest overhead_fraction);
#  3. peak memory of merging 1,000,000 synthetic rows.
#   bench/sweep_bench.sh [BUILD_DIR]       (needs the machine otherwise idle)
set -euo pipefail
cd "$(dirname "$0")/.."
b=${1:-build}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
t1=$( { /usr/bin/time -f %e mpirun -np 1 "$b/uclif" sweep bench/sweep-200.ini -o "$work/n1" --quiet; } 2>&1 | tail -1)
t2=$( { /usr/bin/time -f %e mpirun -np 2 "$b/uclif" sweep bench/sweep-200.ini -o "$work/n2" --quiet; } 2>&1 | tail -1)
cmp "$work/n1/points.csv" "$work/n2/points.csv"
echo "200 points: 1 rank ${t1} s, 2 ranks ${t2} s, efficiency $(echo "$t1 / (2 * $t2) * 100" | bc -l | cut -c1-5) %"
grep -E "^(wall_s|rank_s_characterizing|rank_s_per_point_overhead|overhead_fraction)" "$work/n2/manifest.txt"
"$b/gen_shards" "$work/m" 1000000 8
/usr/bin/time -v "$b/uclif" merge "$work/m" 2>"$work/time" >/dev/null
echo "merge of 1,000,000 rows (8 shards, $(du -sh "$work/m/points.csv" | cut -f1)): $(grep -E "Elapsed" "$work/time" | awk '{print $NF}') wall, peak RSS $(grep -E "Maximum resident" "$work/time" | awk '{print $NF}') kB"
