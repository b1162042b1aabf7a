#!/usr/bin/env bash
# `uclif report DIR`: every plot of a report built from a small sweep is a non-empty SVG with a
# PNG copy and is referenced from index.html; text-valued swept parameters as categories and
# series; every axis labelled with its unit, E-series axes logarithmic with kΩ / nF tics; the
# conditions block and the table of points; plots without information left out with a line;
# robust to a missing column, failed rows and a 1-D sweep; no points.csv is exit 2, no gnuplot
# exit 1. Usage: test_report.sh UCLIF SOURCE_DIR
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
for want in threshold_vs_1 threshold_vs_3 rheobase_vs_1 rheobase_vs_3 threshold_map fa_curves tau_ref energy solver_steps; do
  echo "$plots" | grep -qx "$want.svg"
  check "plot $want drawn" $?
done
# tau_leak was switched off in this sweep: its plot is skipped with a note, not drawn
grep -q 'id="tau_leak".*skipped' "$idx"
check "a plot without data is skipped with a note" $?
grep -q 'id="status".*skipped: all 12 points have status ok' "$idx"
check "one status: no bar chart, a line saying why" $?
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
check "no plot skipped but the one-status bar chart ($(grep -o 'skipped: [^)]*' "$work/t/report/index.html" | tr '\n' ' '))" \
  $(! grep -v 'id="status"' "$work/t/report/index.html" | grep -q "skipped"; echo $?)
for want in threshold_vs_1 threshold_vs_2 threshold_map fa_curves tau_adapt; do
  grep -q "<img src=\"$want.svg\"" "$work/t/report/index.html"
  check "plot $want drawn" $?
done
check "no nan in a legend or tic" $(! grep -qi 'title "[^"]*nan\|tics (.*nan' "$gp"; echo $?)
grep -q 'title "neuron = type1, R1 = 47 kΩ"' "$gp" && grep -q 'title "neuron = type2, R1 = 68 kΩ"' "$gp"
check "f-A legends name the neuron type" $?
[ "$(grep -c 'set xtics ("type1" 0, "type2" 1)' "$gp")" -eq 3 ]
check "threshold and rheobase against neuron and the heat map: the types as x tics" $?
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

# the quick map's axes (sweeps/examples/quick-map.ini: R1 = e6(22k, 220k), C = e6(4.7n, 47n)),
# on a smaller C range and a shorter run: every plot's x and y axes are labelled, with a unit
# in parentheses where the quantity has one; R1 and C are log axes with kΩ / nF tics; the heat
# map's cells are labelled with their values and drawn as rectangles ('pixels'); no tic is
# written as 2.2e+04 or 0.0000100
printf '[stimulus]\nduration = 4m\n[sweep]\nR1 = e6(22k, 220k)\nC = e6(4.7n, 10n)\n[characterize]\nrate_curve = 5, 7\n' >"$work/e6.ini"
sweep1 "$uclif" sweep "$work/e6.ini" -o "$work/e6" --quiet >"$work/log" 2>&1
rc=$?; check "the E-series sweep runs ($(tail -1 "$work/log"))" "$rc"
"$uclif" report "$work/e6" >/dev/null 2>"$work/err"
rc=$?; check "report of the E-series sweep exits 0 ($(cat "$work/err"))" "$rc"
gp="$work/e6/report/plots.gp"
idx="$work/e6/report/index.html"
# one line per plot: NAME, its x label, its y label (empty when missing)
gawk '/^reset$/ { if (name) print name "\t" xl "\t" yl; name = xl = yl = "" }
      /^set output .*\.svg.$/ { name = $0; sub(/^set output ./, "", name); sub(/\.svg.$/, "", name) }
      /^set xlabel "/ { xl = $0; sub(/^set xlabel "/, "", xl); sub(/" noenhanced$/, "", xl) }
      /^set ylabel "/ { yl = $0; sub(/^set ylabel "/, "", yl); sub(/" noenhanced$/, "", yl) }
      END { if (name) print name "\t" xl "\t" yl }' "$gp" >"$work/labels"
n=$(wc -l <"$work/labels")
check "plots.gp draws at least 10 plots ($n)" $([ "$n" -ge 10 ]; echo $?)
bad=$(gawk -F'\t' '$2 == "" || $3 == "" { print $1 ": no label"; next }
                   $1 != "solver_steps" && ($2 !~ /\(.+\)$/ || $3 !~ /\(.+\)$/) { print $1 ": " $2 " / " $3 }' "$work/labels")
check "every plot's x and y axes have labels, with units ($bad)" $([ -z "$bad" ]; echo $?)
for want in "threshold_vs_1	R1 (Ω)	threshold (V)" "threshold_vs_2	C (F)	threshold (V)" \
  "rheobase_vs_1	R1 (Ω)	rheobase (V)" "threshold_map	R1 (Ω)	C (F)" \
  "fa_curves	pulse amplitude (V)	rate (Hz)" "tau_ref	R3 C (s)	tau_ref (s)" \
  "energy	C V^2/2 (J)	energy per spike (J)"; do
  grep -qxF "$want" "$work/labels"
  rc=$?; check "labels: $(echo "$want" | tr '\t' '|')" "$rc"
done
# each plot's block of plots.gp, by name
block() { gawk -v want="$1" '/^reset$/ { if (name == want) printf "%s", b; b = ""; name = "" }
  { b = b $0 "\n" } /^set output .*\.svg.$/ { name = $0; sub(/^set output ./, "", name); sub(/\.svg.$/, "", name) }
  END { if (name == want) printf "%s", b }' "${2:-$gp}"; }
for p in threshold_vs_1 rheobase_vs_1; do
  block $p | grep -q '^set logscale x$' && block $p | grep -q '^set xtics (.*"100 kΩ" 100000.*) noenhanced$' &&
    block $p | grep -q '^set ytics (.* V" .*) noenhanced$'
  check "$p: R1 on a log axis, tics in kΩ, y tics in V" $?
done
for p in threshold_vs_2 rheobase_vs_2; do
  block $p | grep -q '^set logscale x$' && block $p | grep -q '^set xtics (.*"5 nF" 5e-09.*) noenhanced$'
  check "$p: C on a log axis, tics in nF" $?
done
block threshold_map | grep -q '^set xtics ("22 kΩ" 0, "33 kΩ" 1, "47 kΩ" 2, "68 kΩ" 3, "100 kΩ" 4, "150 kΩ" 5, "220 kΩ" 6) noenhanced$' &&
  block threshold_map | grep -q '^set ytics ("4.7 nF" 0, "6.8 nF" 1, "10 nF" 2) noenhanced$' &&
  block threshold_map | grep -q '^set cblabel "threshold (V)" noenhanced$' &&
  block threshold_map | grep -q "using 1:2:3 with image pixels$"
check "heat map: cells labelled with R1 and C values, colour box in V, drawn as rectangles" $?
check "no tic like 2.2e+04 or 0.0000100 ($(grep -o '"[-0-9.]*e[-+][0-9]*"\|"0\.0000[0-9]*"' "$gp" | head -3 | tr '\n' ' '))" \
  $(! grep '^set [a-z]*tics (' "$gp" | grep -q '"[-0-9.]*e[-+][0-9]*"\|"0\.0000'; echo $?)
grep -q 'set encoding utf8' "$gp"
check "the script sets encoding utf8 (Ω and µ in SVG and PNG)" $?
# the conditions block: the neuron, the swept ranges with units and axes, the stimulus with
# units, the solver tolerances, and the non-default duration against its default
sed -n '/id="conditions"/,/<\/table>/p' "$idx" >"$work/cond"
grep -q '<th>neuron</th><td>type1</td>' "$work/cond" &&
  grep -q '<code>R1 = e6(22k, 220k)</code>: 22 kΩ to 220 kΩ, log axis' "$work/cond" &&
  grep -q '<code>C = e6(4.7n, 10n)</code>: 4.7 nF to 10 nF, log axis' "$work/cond" &&
  grep -q '<th>stimulus</th><td>kind pulses, amplitude 6 V, width 10 µs, period 100 µs, duration 4 ms</td>' "$work/cond" &&
  grep -q '<th>solver</th><td>rtol 0.0001, atol 10 nV</td>' "$work/cond"
rc=$?; check "conditions: neuron, swept ranges with units and log axes, stimulus, solver ($(tr '\n' ' ' <"$work/cond" | head -c 600))" "$rc"
grep -q '<code>duration</code> = 4 ms (default 20 ms)' "$work/cond"
check "conditions: the non-default duration named with its default" $?
check "conditions come before the plots" \
  $([ "$(grep -n 'id="conditions"' "$idx" | cut -d: -f1)" -lt "$(grep -n '<h2>Plots' "$idx" | cut -d: -f1)" ]; echo $?)
# the table of points: the first 20 rows of 21, key columns with units, links to the CSVs
sed -n '/id="points"/,/<\/table>/p' "$idx" >"$work/pts"
grep -q 'href="../points.csv"' "$work/pts" && grep -q 'href="../rate_curves.csv"' "$work/pts"
check "points table links points.csv and rate_curves.csv" $?
check "points table: 20 rows ($(grep -c '^<tr><td>' "$work/pts"))" $([ "$(grep -c '^<tr><td>' "$work/pts")" -eq 20 ]; echo $?)
grep -q '<tr><th>point</th><th>status</th><th>R1</th><th>C</th><th>threshold_V</th><th>rheobase_V</th><th>tau_leak_off_s</th><th>tau_ref_s</th><th>energy_per_spike_J</th></tr>' "$work/pts" &&
  grep -q '^<tr><td>0</td><td>ok</td><td>22 kΩ</td><td>4.7 nF</td><td>[0-9.]* V</td><td>[0-9.]* V</td><td>[0-9.]* [mµ]s</td><td>[0-9.]* [mµn]s</td><td>[0-9.]* [pnµ]J</td></tr>' "$work/pts"
rc=$?; check "points table: key columns, values with units ($(sed -n 4p "$work/pts"))" "$rc"
# each value of the table is points.csv's, to 4 digits: the threshold of the first row
want=$(gawk -v FPAT='([^,]*)|("[^"]*")' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  NR == 2 { printf "%.4g V", $c["\"threshold_V\""] }' "$work/e6/points.csv")
grep '^<tr><td>0</td>' "$work/pts" | grep -q "<td>$want</td>"
check "points table: row 0's threshold is points.csv's ($want)" $?
# without spec.ini and spec.canonical (points.csv and the manifest, as bench/report_bench.sh
# makes them): the spacing of the values decides the log axes, the conditions come from
# points.csv's first row
mkdir -p "$work/bare"
cp "$work/e6/points.csv" "$work/e6/manifest.txt" "$work/bare/"
"$uclif" report "$work/bare" >/dev/null 2>"$work/err"
rc=$?; check "report of points.csv alone exits 0 ($(cat "$work/err"))" "$rc"
grep -q '<code>R1</code>: 22 kΩ to 220 kΩ, log axis' "$work/bare/report/index.html" &&
  grep -q '<code>duration</code> = 4 ms (default 20 ms)' "$work/bare/report/index.html" &&
  grep -q 'From the first row of points.csv' "$work/bare/report/index.html"
check "without the spec: log axes by spacing, conditions from points.csv" $?
gawk -v FPAT='([^,]*)|("[^"]*")' -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "\"R1\"") c = i; print; next }
  { $c = 10000 * (NR - 1); print }' "$work/e6/points.csv" >"$work/bare/points.csv"
"$uclif" report "$work/bare" >/dev/null 2>"$work/err"
grep -q '<code>R1</code>: 10 kΩ to 210 kΩ, linear axis' "$work/bare/report/index.html" &&
  block threshold_vs_1 "$work/bare/report/plots.gp" | grep -q '^set xlabel "R1 (Ω)"' &&
  ! block threshold_vs_1 "$work/bare/report/plots.gp" | grep -q 'logscale'
check "evenly spaced R1 values: a linear axis" $?

# a network sweep: no per-point solver statistics, so no health table and no steps plot, each
# with a line saying why
printf '[run]\nname = nsw\n[stimulus]\nkind = pulses\namplitude = 7\nduration = 5m\n[neuron.A]\nneuron = type2\n[neuron.B]\n[synapse.S]\nfrom = A\nto = B\ntap = axon\n[sweep]\nS.R = 2.2k, 4.7k, 1meg\nA.amplitude = 0, 7\n' >"$work/nsw.ini"
sweep1 "$uclif" sweep "$work/nsw.ini" -o "$work/nsw" --quiet >"$work/log" 2>&1
rc=$?; check "network sweep runs ($(tail -1 "$work/log"))" "$rc"
"$uclif" report "$work/nsw" >/dev/null 2>"$work/err"
rc=$?; check "report of a network sweep exits 0 ($(cat "$work/err"))" "$rc"
nidx="$work/nsw/report/index.html"
grep -q 'id="solver_steps".*skipped: every solver-health number .* a network sweep records no CVODE statistics per point' "$nidx" &&
  grep -q 'Left out: every solver-health number' "$nidx" && ! grep -q 'CVODE steps per point, mean' "$nidx"
check "network sweep: solver health left out with a line saying why" $?
grep -q '<th>neuron</th><td>A: type2; every other neuron: type1</td>' "$nidx" && grep -q '<code>S.R = 2.2k, 4.7k, 1meg</code>: 2.2 kΩ to 1 MΩ, log axis' "$nidx"
check "network sweep conditions: each neuron's type (B at the base's), the synapse resistance in Ω" $?

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

# plots.gp names its files relative to the report folder: it redraws from there
if grep -q "$work" "$gp"; then bad=1; else bad=0; fi
check "the report's plots.gp names no path of the run's directory" "$bad"
rm -f "$work/e6/report/"*.svg
(cd "$work/e6/report" && gnuplot plots.gp >/dev/null 2>&1)
n=$(ls "$work/e6/report/"*.svg 2>/dev/null | wc -l)
check "the report's plots.gp redraws from its folder ($n SVGs)" $([ "$n" -ge 10 ]; echo $?)

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
