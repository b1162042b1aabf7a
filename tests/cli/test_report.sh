#!/usr/bin/env bash
# `uclif report DIR`: every plot of a report built from a small sweep is a non-empty SVG with a
# PNG copy and is referenced from index.html; text-valued swept parameters as categories and
# series; robust to a missing column, failed rows and a 1-D sweep; no points.csv is exit 2, no
# gnuplot exit 1. Usage: test_report.sh UCLIF SOURCE_DIR
set -u
uclif=$1
src=$2
. "$src/tests/mpi/mpi_env.sh" # check/finish; MPI as root for the sweeps
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sweep1 "$uclif" sweep "$src/tests/specs/sweep-small.ini" -o "$work/s" --quiet >"$work/log" 2>&1
rc=$?; check "the sweep runs ($(tail -1 "$work/log"))" "$rc"
"$uclif" report "$work/s" >"$work/out" 2>"$work/err"
rc=$?; check "report exits 0 ($(cat "$work/err"))" "$rc"
idx="$work/s/report/index.html"
check "index.html written" $([ -s "$idx" ]; echo $?)
plots=$(grep -o '<img src="[^"]*\.svg"' "$idx" | sed 's/<img src="//; s/"$//')
n=$(echo "$plots" | grep -c svg)
check "at least 7 plots referenced ($n)" $([ "$n" -ge 7 ]; echo $?)
for p in $plots; do
  f="$work/s/report/$p"
  check "$p is a non-empty SVG" $(grep -q "<svg" "$f" && grep -q "</svg>" "$f" && [ "$(wc -c <"$f")" -gt 2000 ]; echo $?)
  png="${f%.svg}.png"
  check "${p%.svg}.png is a PNG" $(head -c 8 "$png" | od -An -c | grep -q "P   N   G"; echo $?)
  grep -q "href=\"${p%.svg}.png\"" "$idx"
  check "${p%.svg}.png linked" $?
done
for want in status threshold_vs_1 threshold_vs_3 threshold_map fa_curves tau_ref energy solver_steps; do
  echo "$plots" | grep -qx "$want.svg"
  check "plot $want drawn" $?
done
# tau_leak was switched off in this sweep: its plot is skipped with a note, not drawn
grep -q 'id="tau_leak".*skipped' "$idx"
check "a plot without data is skipped with a note" $?
grep -q "^swept = R1, C, neuron" "$work/s/manifest.txt" && grep -q "swept = R1, C, neuron" "$idx"
check "the manifest is in the page" $?
grep -q "^report of 12 points (12 ok): " "$work/out"
check "summary line" $?

# a text-valued swept parameter (a choice: neuron) first, a numeric one second: the text is a
# category (legends and tics show it, never nan), a plot against R1 has one series per neuron,
# the heat map has a column per neuron, and nothing is skipped (every column has ok values)
printf '[stimulus]\nduration = 4m\n[sweep]\nneuron = type1, type2\nR1 = 47k, 68k\n[characterize]\nrate_curve = 5, 7\n' >"$work/text.ini"
sweep1 "$uclif" sweep "$work/text.ini" -o "$work/t" --quiet >/dev/null 2>&1
"$uclif" report "$work/t" >"$work/out" 2>"$work/err"
rc=$?; check "report of a text axis exits 0 ($(cat "$work/err"))" "$rc"
gp="$work/t/report/plots.gp"
check "no plot skipped ($(grep -o 'skipped: [^)]*' "$work/t/report/index.html" | tr '\n' ' '))" \
  $(! grep -q "skipped" "$work/t/report/index.html"; echo $?)
for want in threshold_vs_1 threshold_vs_2 threshold_map fa_curves tau_adapt; do
  grep -q "<img src=\"$want.svg\"" "$work/t/report/index.html"
  check "plot $want drawn" $?
done
check "no nan in a legend or tic" $(! grep -qi 'title "[^"]*nan\|tics (.*nan' "$gp"; echo $?)
grep -q 'title "neuron = type1, R1 = 4.7e+04"' "$gp" && grep -q 'title "neuron = type2, R1 = 6.8e+04"' "$gp"
check "f-A legends name the neuron type" $?
[ "$(grep -c 'set xtics ("type1" 0, "type2" 1)' "$gp")" -eq 2 ]
check "threshold against neuron and the heat map: the types as x tics" $?
grep "threshold_vs_2_0.dat' .*title \"neuron = type1\"" "$gp" | grep -q "threshold_vs_2_1.dat' .*title \"neuron = type2\""
check "threshold against R1: one series per neuron type, labelled" $?
# each series holds its own type's rows: points.csv's (R1, threshold) of that type, in order
for s in 0 1; do
  gawk -v FPAT='([^,]*)|("[^"]*")' -v want="\"type$((s + 1))\"" \
    'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
     $c["\"neuron\""] == want { printf "%.9g %.9g\n", $c["\"R1\""], $c["\"threshold_V\""] }' \
    "$work/t/points.csv" >"$work/want_$s"
  cmp -s "$work/want_$s" "$work/t/report/data/threshold_vs_2_$s.dat"
  rc=$?
  check "series $s holds the type$((s + 1)) rows only ($(tr '\n' ' ' 2>/dev/null <"$work/t/report/data/threshold_vs_2_$s.dat"))" $rc
done
grep -q 'title "measured: neuron = type2"' "$gp" && ! grep -q 'tau_adapt.*title "measured: neuron = type1"' "$gp"
check "tau_adapt: the type II series alone" $?
# a column mixing numbers and text: plots against it are skipped with that reason
mkdir -p "$work/mix"
gawk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "\"neuron\"") c = i } NR == 2 { $c = 3 } { print }' \
  "$work/t/points.csv" >"$work/mix/points.csv"
cp "$work/t/manifest.txt" "$work/mix/"
"$uclif" report "$work/mix" >/dev/null 2>"$work/err"
rc=$?; check "report of a mixed column exits 0 ($(cat "$work/err"))" "$rc"
grep -q 'id="threshold_vs_1".*skipped: neuron mixes numbers and text' "$work/mix/report/index.html" &&
  grep -q 'id="threshold_map".*skipped: neuron mixes numbers and text' "$work/mix/report/index.html"
check "a mixed column's plots are skipped with that reason" $?
# more R1 values than heat-map cells (600 rows made from one): R1 goes into 100 bins, the text
# axis keeps a column per type
mkdir -p "$work/big"
gawk -v FPAT='([^,]*)|("[^"]*")' -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; print; next }
  NR == 2 { for (k = 0; k < 600; k++) { $c["\"point\""] = k; $c["\"neuron\""] = k % 2 ? "\"type2\"" : "\"type1\""
            $c["\"R1\""] = 40000 + 100 * k; $c["\"threshold_V\""] = 4 + k % 2; print } }' \
  "$work/t/points.csv" >"$work/big/points.csv"
cp "$work/t/manifest.txt" "$work/big/"
"$uclif" report "$work/big" >/dev/null 2>"$work/err"
rc=$?; check "report of a binned map with a text axis exits 0 ($(cat "$work/err"))" "$rc"
grep -q 'id="threshold_map"><figcaption><b>[^<]*(mean in 2 x 100 cells)</b> (<a' "$work/big/report/index.html" &&
  grep -q 'set xtics ("type1" 0, "type2" 1)' "$work/big/report/plots.gp" &&
  [ "$(gawk '$1 == 0 && $3 == 4 || $1 == 1 && $3 == 5' "$work/big/report/data/threshold_map.dat" | wc -l)" -eq 200 ]
check "binned heat map: a column per type, each with its own thresholds" $?

# a missing column and a failed row: the plot is skipped, the status counts the failure
mkdir -p "$work/m"
gawk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "\"tau_ref_s\"") c = i }
                   { if (c) { $c = ""; if (NR == 1) $c = "\"gone\"" } if (NR == 3) $2 = "\"solver\""; print }' \
  "$work/s/points.csv" >"$work/m/points.csv"
cp "$work/s/rate_curves.csv" "$work/m/"
"$uclif" report "$work/m" >"$work/out" 2>"$work/err"
rc=$?; check "report without a column exits 0 ($(cat "$work/err"))" "$rc"
grep -q 'id="tau_ref".*skipped: points.csv lacks tau_ref_s' "$work/m/report/index.html"
check "the plot of the missing column is skipped with its reason" $?
grep -q "<td>solver</td><td>1</td>" "$work/m/report/index.html"
check "the failed row is counted" $?
grep -q "(11 ok)" "$work/out"
check "11 ok" $?

# a 1-D sweep: no heat map, still a report
printf '[stimulus]\nduration = 4m\n[sweep]\nR1 = 47k, 68k\n[characterize]\nrate_curve = 5, 7\ntau_leak = off\n' >"$work/one.ini"
sweep1 "$uclif" sweep "$work/one.ini" -o "$work/one" --quiet >/dev/null 2>&1
"$uclif" report "$work/one" >/dev/null 2>"$work/err"
rc=$?; check "1-D sweep report exits 0 ($(cat "$work/err"))" "$rc"
check "no heat map for one axis" $(! grep -q 'id="threshold_map"' "$work/one/report/index.html"; echo $?)

# gnuplot is run without a shell, looked up in the PATH: without it, exit 1 and say so
env PATH=/nonexistent "$uclif" report "$work/one" >/dev/null 2>"$work/err"
check "no gnuplot in the PATH exits 1" $([ $? -eq 1 ]; echo $?)
grep -q "gnuplot not found" "$work/err"
rc=$? # (before the command substitution in the name, which sets $?)
check "and says gnuplot is not found ($(cat "$work/err"))" $rc

"$uclif" report "$work/nothing" >/dev/null 2>"$work/err"
check "no points.csv exits 2" $([ $? -eq 2 ]; echo $?)
grep -q "points.csv: cannot read" "$work/err"
rc=$?; check "and says so ($(cat "$work/err"))" "$rc"
finish
