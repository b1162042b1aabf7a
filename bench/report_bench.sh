#!/usr/bin/env bash
# Report benchmark of docs/benchmarks.md: `uclif report` on a 1,000,000-point sweep. The points
# are synthetic but real rows: the 49 rows of sweeps/examples/quick-map.ini, cycled, with R1
# and C set on a 1000 x 1000 log grid (so the heat map bins), two rate-curve rows per point.
#   bench/report_bench.sh [BUILD_DIR] [POINTS]        defaults: build 1000000
#   KEEP=1 bench/report_bench.sh ...                   keeps the work directory to look at
set -euo pipefail
cd "$(dirname "$0")/.."
b=${1:-build}
n=${2:-1000000}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
work=$(mktemp -d)
if [ -z "${KEEP:-}" ]; then
  trap 'rm -rf "$work"' EXIT
else
  echo "keeping $work"
fi
"$b/uclif" sweep sweeps/examples/quick-map.ini -o "$work/seed" --quiet >/dev/null
mkdir -p "$work/big"
side=$(awk -v n="$n" 'BEGIN { s = int(sqrt(n)); while (s * s < n) s++; print s }')
gawk -F, -v OFS=, -v n="$n" -v side="$side" '
  NR == 1 { for (i = 1; i <= NF; i++) { h = $i; gsub(/"/, "", h); col[h] = i } print; next }
  { row[++m] = $0 }
  END {
    for (i = 0; i < n; i++) {
      $0 = row[i % m + 1]
      $col["point"] = i
      $col["R1"] = 22e3 * (10 ^ (1.0 * int(i / side) / side))
      $col["C"] = 4.7e-9 * (10 ^ (1.0 * (i % side) / side))
      print
    }
  }' "$work/seed/points.csv" >"$work/big/points.csv"
gawk -F, -v OFS=, -v n="$n" 'NR == 1 { print; next } NR <= 3 { r[NR] = $0 }
  END { for (i = 0; i < n; i++) for (k = 2; k <= 3; k++) { $0 = r[k]; $1 = i; print } }' \
  "$work/seed/rate_curves.csv" >"$work/big/rate_curves.csv"
sed 's/^points = .*/points = '"$n"'/' "$work/seed/manifest.txt" >"$work/big/manifest.txt"
echo "input: points.csv $(du -h "$work/big/points.csv" | cut -f1), rate_curves.csv $(du -h "$work/big/rate_curves.csv" | cut -f1)"
/usr/bin/time -f "%e s wall, peak RSS %M kB" "$b/uclif" report "$work/big" 2>"$work/time"
cat "$work/time"
page=$(cat "$work/big/report/index.html" "$work/big/report/"*.svg | wc -c)
echo "page (index.html + SVGs): $((page / 1024)) KiB; with PNGs: $(du -ck "$work/big/report/"*.html "$work/big/report/"*.svg "$work/big/report/"*.png | tail -1 | cut -f1) KiB"
