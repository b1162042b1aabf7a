#!/usr/bin/env bash
# `uclif sweep` with design = montecarlo: 20 draws of a short characterization on 1 and 2 ranks
# give byte-identical CSVs; every row carries mc_seed and mc_draw; another seed gives other
# draws; the self-check is printed at the start; the drawn values lie within their tolerances.
# Usage: test_montecarlo.sh UCLIF SOURCE_DIR
set -u
uclif=$1
src=$2
. "$src/tests/mpi/mpi_env.sh" # check/finish; MPI as root
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
spec="$src/tests/specs/montecarlo.ini"

sweep1 "$uclif" sweep "$spec" -o "$work/r1" >"$work/out1" 2>"$work/err"
rc=$?; check "montecarlo sweep on 1 rank ($(tail -1 "$work/err"))" "$rc"
$MPIRUN -np 2 "$uclif" sweep "$spec" -o "$work/r2" >"$work/out2" 2>"$work/err"
rc=$?; check "montecarlo sweep on 2 ranks ($(tail -1 "$work/err"))" "$rc"
cmp -s "$work/r1/points.csv" "$work/r2/points.csv"
check "1 and 2 ranks: the same points.csv" $?
cmp -s "$work/r1/rate_curves.csv" "$work/r2/rate_curves.csv"
check "1 and 2 ranks: the same rate_curves.csv" $?
check "20 draws" $([ "$(wc -l <"$work/r1/points.csv")" -eq 21 ]; echo $?)
# every row: mc_seed 5 and mc_draw = point; R1 within 47k·(1 ± 0.5 %)(1 ± 1 %); ok rows
gawk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { h = $i; gsub(/"/, "", h); c[h] = i }; next }
  { if ($c["mc_seed"] != 5 || $c["mc_draw"] != $c["point"] || $c["status"] != "\"ok\"") bad++
    r = $c["R1"] / 47e3; if (r < 0.995 * 0.99 - 1e-12 || r > 1.005 * 1.01 + 1e-12) bad++
    if ($c["R1"] != 47e3) moved++ }
  END { exit !(c["mc_seed"] == 2 && c["mc_draw"] == 3 && bad == 0 && moved == NR - 1) }' "$work/r1/points.csv"
check "every row has mc_seed, mc_draw = point, status ok and R1 within its tolerances" $?
grep -q "^design = montecarlo$" "$work/r1/manifest.txt"
check "manifest.txt names the design" $?
grep -q "^Monte Carlo self-check: 20 draws, seed 5, normal" "$work/out1"
check "the self-check is printed at the start" $?
grep -q "^all [0-9]* statistics pass" "$work/out1"
check "and passes" $?
check "rank 0 alone prints it" $([ "$(grep -c '^Monte Carlo self-check' "$work/out2")" -eq 1 ]; echo $?)
# another seed: other draws
sed 's/^seed = 5/seed = 6/' "$spec" >"$work/seed6.ini"
sweep1 "$uclif" sweep "$work/seed6.ini" -o "$work/s6" --quiet >/dev/null 2>"$work/err"
rc=$?; check "seed 6 runs ($(tail -1 "$work/err"))" "$rc"
r1a=$(gawk -F, 'NR == 2 { print $9 }' "$work/r1/points.csv")
r1b=$(gawk -F, 'NR == 2 { print $9 }' "$work/s6/points.csv")
check "seed 6 draws other values (R1 of draw 0: $r1a, $r1b)" $([ "$r1a" != "$r1b" ] && [ -n "$r1a" ]; echo $?)
# resume of a finished run: nothing to compute, the same files
sweep1 "$uclif" sweep "$spec" -o "$work/r1" --resume --quiet >/dev/null 2>"$work/err"
rc=$?; check "resume of the finished run ($(tail -1 "$work/err"))" "$rc"
cmp -s "$work/r1/points.csv" "$work/r2/points.csv"
check "and points.csv is unchanged" $?
finish
