#!/usr/bin/env bash
# `uclif report DIR` on the output of `uclif fit` (docs/outputs.md "The fit page"): from the
# hand-written fixture tests/fit/fixture/ the page DIR/fit.html is written, every image it shows
# is a non-empty SVG, every parameter's value and 95 % interval are in its table as text, the
# preferred variant is marked, the spike times reach the plots; a fit to features only (an
# overlay.csv of its header alone) gets a page without figures; a missing overlay.csv is exit 2
# with a message naming it. Usage: test_fitpage.sh UCLIF SOURCE_DIR
set -u
uclif=$1
src=$2
. "$src/tests/check.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cp -r "$src/tests/fit/fixture" "$work/f"
"$uclif" report "$work/f" >"$work/out" 2>"$work/err"
rc=$?; check "report on a fit folder exits 0 ($(cat "$work/err"))" "$rc"
page="$work/f/fit.html"
check "fit.html written" $([ -s "$page" ]; echo $?)
grep -q "fit page written: .*/fit.html" "$work/out"
check "summary names the page" $?
imgs=$(grep -o '<img src="[^"]*"' "$page" | sed 's/<img src="//; s/"$//')
n=$(echo "$imgs" | grep -c .)
check "4 images: overlay and residual of 2 recordings ($n)" $([ "$n" -eq 4 ]; echo $?)
for i in $imgs; do
  f="$work/f/$i"
  check "$i is a non-empty SVG" \
    $(grep -q "<svg" "$f" && grep -q "</svg>" "$f" && [ "$(wc -c <"$f")" -gt 2000 ]; echo $?)
  check "${i%.svg}.png beside it" $(head -c 8 "${f%.svg}.png" | od -An -c | grep -q "P   N   G"; echo $?)
done
# the parameter table (between its heading and the correlations): one row per parameter with its
# value and interval as an engineer reads them (values from the fixture's parameters.csv)
table=$(sed -n '/id="parameters"/,/id="correlations"/p' "$page")
row() { echo "$table" | grep "<code>$1</code>"; }
for want in "R_in|68.2 kΩ|61.83 kΩ to 75.22 kΩ|pinned" \
  "scr.I_GT|1.52 µA|1.201 µA to 1.923 µA|partly" \
  "VDD|5 V|3 V to 12 V|not identified" \
  "daq.gain.V_mem_V|1.008|1.0002 to 1.0158|pinned"; do
  IFS='|' read -r p v ci verdict <<<"$want"
  r=$(row "$p")
  check "$p: value $v, interval $ci, $verdict" \
    $(echo "$r" | grep -qF "<td>$v</td><td>$ci</td>" && echo "$r" | grep -qF "<td>$verdict</td>"; echo $?)
done
row VDD | grep -q "a recording of V_out_V"
check "pin_with shown" $?
# correlations: a 4 x 4 matrix, the strong pair highlighted
corr=$(sed -n '/id="correlations"/,/id="comparison"/p' "$page")
check "correlation matrix 4 x 4 with -0.93 highlighted" \
  $([ "$(echo "$corr" | grep -c '^<tr><th><code>')" -eq 4 ] && echo "$corr" | grep -q '<td class="hi">-0.93</td>'; echo $?)
# the model comparison: the preferred variant's row is marked, the other's is not
grep '<tr class="preferred">' "$page" | grep -q '<b>two_transistor</b>.*preferred'
check "preferred variant marked" $?
check "only one variant marked" $([ "$(grep -c '<tr class="preferred">' "$page")" -eq 1 ]; echo $?)
grep -q '<b>hybrid</b>' "$page"
check "the other variant listed" $?
grep -q '<h1>Fit of fits/fixture.ini</h1>' "$page"
check "title names the spec from fit.txt" $?
# the plots: time in ms, units on every axis, spike ticks from spikes.csv in ms
gp="$work/f/fit_page/plots.gp"
check "every plot labels time in ms" $([ "$(grep -c "set xlabel 'time (ms)'" "$gp")" -eq 4 ]; echo $?)
check "every plot labels volts" $([ "$(grep -c "set ylabel .*(V)" "$gp")" -eq 4 ]; echo $?)
check "measured spike ticks in ms" $(grep -qx "4.6" "$work/f/fit_page/spikes_1_measured.dat"; echo $?)
check "fitted spike ticks drawn" $(grep -q "fitted spike times" "$gp"; echo $?)
check "a caption per figure" $([ "$(grep -c '<figcaption>.*<br>' "$page")" -eq 4 ]; echo $?)

# a fit folder without overlay.csv: exit 2, the message names the file, no page
cp -r "$src/tests/fit/fixture" "$work/g"
rm "$work/g/overlay.csv"
"$uclif" report "$work/g" >"$work/out" 2>"$work/err"
rc=$?
check "missing overlay.csv: exit 2 ($rc)" $([ "$rc" -eq 2 ]; echo $?)
grep -q "overlay.csv: cannot read" "$work/err"
rc=$?; check "the message names overlay.csv ($(cat "$work/err"))" "$rc"
check "no page written" $([ ! -e "$work/g/fit.html" ]; echo $?)
# a fit to measured features only: overlay.csv and spikes.csv are headers alone; the page is
# written, with no figure, and says why
cp -r "$src/tests/fit/fixture" "$work/k"
head -1 "$src/tests/fit/fixture/overlay.csv" >"$work/k/overlay.csv"
head -1 "$src/tests/fit/fixture/spikes.csv" >"$work/k/spikes.csv"
"$uclif" report "$work/k" >/dev/null 2>"$work/err"
rc=$?; check "features only: exit 0 ($(cat "$work/err"))" "$rc"
check "features only: the page says there is no recording" \
  $(grep -q "fitted to measured features only" "$work/k/fit.html"; echo $?)
check "features only: no figure" $([ "$(grep -c '<figure' "$work/k/fit.html")" -eq 0 ]; echo $?)
# a parameters.csv without a column: exit 2, named
cp -r "$src/tests/fit/fixture" "$work/h"
sed -i '1s/"ci95_hi"/"ci95_high"/' "$work/h/parameters.csv"
"$uclif" report "$work/h" >/dev/null 2>"$work/err"
rc=$?
check "a missing column: exit 2, named ($(cat "$work/err"))" \
  $([ "$rc" -eq 2 ] && grep -q "parameters.csv: no column 'ci95_hi'" "$work/err"; echo $?)
finish
