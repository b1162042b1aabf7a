#!/usr/bin/env bash
# The merged CSVs of a sweep are the same bytes at 1, 2 and 3 ranks; refusals of a reused or
# foreign output directory. Usage: test_ranks.sh UCLIF SOURCE_DIR
set -u
uclif=$1
src=$2
. "$src/tests/mpi/mpi_env.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
spec="$src/tests/specs/sweep-small.ini"
for n in 1 2 3; do
  $MPIRUN -np $n "$uclif" sweep "$spec" -o "$work/n$n" --quiet >"$work/log$n" 2>&1
  rc=$?; check "sweep at $n ranks exits 0 ($(tail -2 "$work/log$n"))" "$rc"
done
for f in points.csv rate_curves.csv; do
  cmp -s "$work/n1/$f" "$work/n2/$f"
  check "$f: 1 and 2 ranks identical" $?
  cmp -s "$work/n1/$f" "$work/n3/$f"
  check "$f: 1 and 3 ranks identical" $?
done
check "12 points merged" $([ "$(wc -l <"$work/n1/points.csv")" -eq 13 ]; echo $?)
check "24 rate-curve rows" $([ "$(wc -l <"$work/n1/rate_curves.csv")" -eq 25 ]; echo $?)
ids=$(cut -d, -f1 "$work/n3/points.csv" | tail -n +2 | tr '\n' ' ')
check "ids 0..11 in order ($ids)" $([ "$ids" = "0 1 2 3 4 5 6 7 8 9 10 11 " ]; echo $?)
grep -q "^ranks = 3$" "$work/n3/manifest.txt"
check "manifest records the ranks" $?
# the same directory again without --resume: refused, nothing changed
before=$(md5sum <"$work/n1/points.csv")
sweep1 "$uclif" sweep "$spec" -o "$work/n1" --quiet >/dev/null 2>"$work/err"
check "reused directory exits 2" $([ $? -eq 2 ]; echo $?)
grep -q "already holds a sweep" "$work/err"
rc=$?; check "reused directory explained ($(cat "$work/err"))" "$rc"
check "results untouched" $([ "$(md5sum <"$work/n1/points.csv")" = "$before" ]; echo $?)
# --resume with a changed spec: refused
sed 's/47k/33k/' "$spec" >"$work/changed.ini"
sweep1 "$uclif" sweep "$work/changed.ini" -o "$work/n1" --resume --quiet >/dev/null 2>"$work/err"
check "changed spec exits 2" $([ $? -eq 2 ]; echo $?)
grep -q "sweep.R1 differs from the spec" "$work/err"
rc=$?; check "changed spec explained ($(cat "$work/err"))" "$rc"
# --resume of a finished sweep: nothing to compute, same bytes
sweep1 "$uclif" sweep "$spec" -o "$work/n2" --resume --quiet >/dev/null 2>&1
check "resume of a finished sweep exits 0" $?
cmp -s "$work/n1/points.csv" "$work/n2/points.csv"
check "and changes no byte" $?
# a per-point wall-time limit: every point over it is a row with status limit; the sweep succeeds
sweep1 "$uclif" sweep "$spec" -o "$work/slow" --point-timeout 1m --quiet >/dev/null 2>"$work/err"
rc=$?; check "sweep with 1 ms per point exits 0 ($(cat "$work/err"))" "$rc"
check "every point recorded" $([ "$(wc -l <"$work/slow/points.csv")" -eq 13 ]; echo $?)
check "points over the limit have status limit" $([ "$(grep -c '^[0-9]*,"limit","' "$work/slow/points.csv")" -ge 6 ]; echo $?)
grep -q "wall-time limit" "$work/slow/points.csv"
check "and the reason says so" $?
# a point whose values do not fit together (a 150 us pulse in a 100 us period) is a row with its
# reason and no numbers; the other points are computed
printf '[stimulus]\nduration = 3m\n[sweep]\nwidth = 10u, 150u\n[characterize]\nrate_curve = 6\n' \
  >"$work/inconsistent.ini"
sweep1 "$uclif" sweep "$work/inconsistent.ini" -o "$work/inc" --quiet >/dev/null 2>&1
check "a sweep with an inconsistent point exits 0" $?
check "the good point is ok" $(grep -q '^0,"ok",""' "$work/inc/points.csv"; echo $?)
check "the inconsistent point is a row with status range and its reason" \
  $(grep -q '^1,"range","point: a pulse .* does not fit in its period' "$work/inc/points.csv"; echo $?)
check "and no numbers (threshold empty)" $(gawk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "\"threshold_V\"") c = i }
  NR == 3 { exit !($c == "") }' "$work/inc/points.csv"; echo $?)
finish
