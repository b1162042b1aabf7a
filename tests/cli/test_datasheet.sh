#!/usr/bin/env bash
# The datasheet of `uclif characterize` (docs/outputs.md, "The datasheet"): for the default
# type I neuron, a type II neuron and a Mott soma, the page exists with its plots, names every
# parameter that is not at its default, and every number on it equals the CSVs' (datasheet_check);
# the checker is not vacuous; with noise trials (tests/specs/probability.ini) the page has the
# firing probability's plot and key figures, and none of it by default; without gnuplot the CSVs
# are still written; --no-datasheet leaves no stale page. Usage: test_datasheet.sh UCLIF DATASHEET_CHECK SOURCE_DIR
set -u
uclif=$1
checker=$2
src=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$src/tests/check.sh"

# one configuration: characterize into DIR with the given --set options, then the checks
sheet() {
  local name=$1
  shift
  "$uclif" characterize --out "$work/$name" "$@" >"$work/$name.out" 2>"$work/$name.err"
  rc=$?; check "$name: characterize exits 0 ($(cat "$work/$name.err"))" "$rc"
  local page="$work/$name/datasheet/index.html"
  check "$name: the datasheet is written" $([ -s "$page" ]; echo $?)
  grep -q "wrote .*datasheet/index.html" "$work/$name.out"
  check "$name: the summary names the page" $?
  "$checker" "$work/$name" 40 >"$work/$name.check"
  rc=$?; check "$name: every number equals the CSVs' ($(tail -3 "$work/$name.check" | tr '\n' ' '))" "$rc"
  # every image the page shows was drawn
  local missing=0 n=0
  for img in $(grep -o '<img src="[^"]*"' "$page" | sed 's/<img src="//; s/"$//'); do
    n=$((n + 1))
    [ -s "$work/$name/datasheet/$img" ] || missing=$((missing + 1))
  done
  check "$name: every image of the page exists ($missing of $n missing)" \
    $([ "$n" -ge 5 ] && [ "$missing" -eq 0 ]; echo $?)
  for section in nondefault stimulus key energy_split published all; do
    grep -q "id=\"$section\"" "$page"
    check "$name: the page has its $section section" $?
  done
  for csv in threshold_period.csv fits.csv; do
    check "$name: $csv written" $([ -s "$work/$name/$csv" ]; echo $?)
  done
}

# names: every --set of the run is listed as not at its default, with its value
names_nondefault() {
  local name=$1
  shift
  local page="$work/$name/datasheet/index.html"
  for p in "$@"; do
    sed -n '/id="nondefault"/,/<\/table>/p' "$page" | grep -q "<code>$p</code>"
    check "$name: $p is named as not at its default" $?
  done
}

sheet type1
grep -q 'Every parameter is at its default' "$work/type1/datasheet/index.html"
check "type1: the defaults are said to be the defaults" $?
sheet type2 --set neuron=type2 --set R1=47k --set duration=10m
names_nondefault type2 neuron R1 duration
sheet mott --set neuron=mott --set duration=10m
names_nondefault mott neuron duration
grep -q 'Mott threshold switch' "$work/mott/datasheet/index.html"
check "mott: the page says the soma is a Mott switch" $?

# (issue 19) the firing probability: its plot, A50 and the other key figures as tagged cells,
# probability.csv listed, the threshold called one noise realisation; none of it by default
"$uclif" characterize "$src/tests/specs/probability.ini" --periods off --out "$work/prob" \
  >"$work/prob.out" 2>"$work/prob.err"
rc=$?; check "probability: characterize exits 0 ($(cat "$work/prob.err"))" "$rc"
ppage="$work/prob/datasheet/index.html"
"$checker" "$work/prob" 40 >"$work/prob.check"
rc=$?; check "probability: every number equals the CSVs' ($(tail -1 "$work/prob.check"))" "$rc"
check "probability: the plot is drawn" $([ -s "$work/prob/datasheet/probability.svg" ] &&
  [ -s "$work/prob/datasheet/probability.png" ] && grep -q '<img src="probability.svg"' "$ppage"; echo $?)
a50=$(awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == "\"threshold_p50_V\"") c = i}
  NR == 2 {print $c}' "$work/prob/points.csv")
a0=$(awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == "\"threshold_noiseless_V\"") c = i}
  NR == 2 {print $c}' "$work/prob/points.csv")
sed -n '/id="key"/,/<\/table>/p' "$ppage" |
  grep -q "<tr><td>50 % firing amplitude A50 .*data-column=\"threshold_p50_V\" data-value=\"$a50\""
check "probability: the key figures show A50 ($a50 V)" $([ $? -eq 0 ] && [ -n "$a50" ]; echo $?)
for column in threshold_p50_lo_V threshold_p50_hi_V threshold_width_V threshold_noiseless_V \
  p50_jitter_s p50_amplitude_V; do
  sed -n '/id="key"/,/<\/table>/p' "$ppage" | grep -q "data-column=\"$column\""
  check "probability: the key figures show $column" $?
done
grep -q "norm((x - $a50) / " "$work/prob/datasheet/plots.gp"
check "probability: the plot draws the probit fit at A50" $?
grep -q "set arrow from $(printf '%.9g' "$a0"), graph 0" "$work/prob/datasheet/plots.gp"
check "probability: the plot marks the noise-free threshold ($a0 V)" $?
grep -q "<tr><td>firing threshold (pulse train) (one noise realisation: see" "$ppage"
check "probability: the threshold is said to be one noise realisation" $?
grep -q 'href="../probability.csv"' "$ppage"
check "probability: probability.csv is among the CSVs of the page" $?
grep -Eq 'id="firing_probability"|probability\.(csv|svg)|noise realisation' \
  "$work/type1/datasheet/index.html"
check "type1: the default page says nothing of a firing probability" $([ $? -ne 0 ]; echo $?)
"$uclif" characterize --set duration=5m --out "$work/prob" >/dev/null 2>&1
check "a rebuilt page without trials leaves no probability plot" \
  $([ ! -e "$work/prob/datasheet/probability.svg" ] &&
    [ ! -e "$work/prob/datasheet/data/probability.dat" ]; echo $?)

# each labelled row shows its own column (the checker compares values with cells, not labels)
while IFS='|' read -r label column; do
  grep -q "<tr><td>$label</td><td><span class=\"v\" data-csv=\"points.csv\" data-row=\"0\" data-column=\"$column\"" \
    "$work/type1/datasheet/index.html"
  check "the row '$label' shows $column" $?
done <<'ROWS'
firing threshold (pulse train)|threshold_V
DC rheobase|rheobase_V
leak time constant (tau_leak_off)|tau_leak_off_s
refractory (discharge) time constant|tau_ref_s
input source|energy_in_per_spike_J
supply (VDD)|energy_vdd_per_spike_J
dynamic: what the spikes cost|energy_dynamic_per_spike_J
standby power at rest (input at 0 V)|P_standby_W
ROWS

# the threshold against period: lower at a higher frequency (the paper's Fig. 2 observation)
awk -F, 'NR > 1 && $6 == "\"ok\"" {print $1, $3}' "$work/type1/threshold_period.csv" >"$work/tp"
check "type1: four periods with a threshold ($(wc -l <"$work/tp"))" $([ "$(wc -l <"$work/tp")" -eq 4 ]; echo $?)
sort -g "$work/tp" | awk 'NR > 1 && $2 < prev {bad = 1} {prev = $2} END {exit bad}'
check "type1: the threshold rises with the period" $?

# the energy split adds up: static + dynamic = total per spike (points.csv)
hdr=$(head -1 "$work/type1/points.csv" | tr -d '"\r')
col() { echo "$hdr" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
row=$(sed -n 2p "$work/type1/points.csv" | tr -d '\r')
tot=$(echo "$row" | cut -d, -f"$(col energy_per_spike_J)")
sta=$(echo "$row" | cut -d, -f"$(col energy_static_per_spike_J)")
dyn=$(echo "$row" | cut -d, -f"$(col energy_dynamic_per_spike_J)")
awk -v t="$tot" -v s="$sta" -v d="$dyn" 'BEGIN {exit !(t > 0 && s >= 0 && d > 0 && (s + d - t) * (s + d - t) <= 1e-12 * t * t)}'
check "type1: static ($sta) + dynamic ($dyn) = total ($tot) J per spike" $?

# the published figures: as many rows as docs/published-neurons.md's table
rows=$(grep -c '<tr class="published">' "$work/type1/datasheet/index.html")
check "the comparison table has the published figures ($rows rows)" $([ "$rows" -ge 5 ]; echo $?)

# (issue 18 follow-ups) the tics of every axis differ: a narrow span gets more digits
tics_distinct() {
  grep '^set [a-z0-9]*tics (' "$1" | while read -r line; do
    echo "$line" | grep -o '"[^"]*" [-0-9.e+]*' | awk '{$NF = ""; print}' | sort | uniq -d
  done
}
"$uclif" characterize --set C=1p --out "$work/narrow" >/dev/null 2>"$work/narrow.err"
rc=$?
check "C=1p: characterize ends (exit 1: some f-A runs chatter) ($rc)" $([ "$rc" -eq 1 ]; echo $?)
"$checker" "$work/narrow" 40 >"$work/narrow.check"
rc=$?; check "C=1p: every number equals the CSVs' ($(tail -1 "$work/narrow.check"))" "$rc"
dups=$(tics_distinct "$work/narrow/datasheet/plots.gp")
check "C=1p: no two tics of an axis share a label ($dups)" $([ -z "$dups" ]; echo $?)
grep -q '"2.0005 ms"' "$work/narrow/datasheet/plots.gp"
check "C=1p: the narrow time axis has tics like 2.0005 ms" $?
# the threshold axis spans at least 10 x threshold.tol (1 mV by default)
yr=$(sed -n '/Firing threshold against pulse period/,/set output/p' "$work/narrow/datasheet/plots.gp" |
  grep '^set yrange' | tail -1 | tr -d '[]' | awk '{split($3, a, ":"); print a[2] - a[1]}')
check "C=1p: the threshold axis spans >= 10 threshold.tol ($yr V)" \
  $(awk -v s="$yr" 'BEGIN {exit !(s >= 0.01)}'; echo $?)
# a failed f-A run: no rate in the CSV, not in the line, marked on the axis and named
awk -F, 'NR > 1 && $3 == 1 && $4 != "\"ok\"" {n++; if ($6 != "" || $7 != "" || $8 != "") bad++}
  END {exit !(n > 0 && bad == 0)}' "$work/narrow/rate_curves.csv"
check "C=1p: failed f-A runs have empty rates in rate_curves.csv" $?
failed_amps=$(awk -F, 'NR > 1 && $3 == 1 && $4 != "\"ok\"" {print $2}' "$work/narrow/rate_curves.csv")
bad=0
for a in $failed_amps; do
  awk -v a="$a" '$1 == a {f = 1} END {exit !f}' "$work/narrow/datasheet/data/fa_curve.dat" && bad=1
  awk -v a="$a" '$1 == a && $2 == 0 {f = 1} END {exit !f}' "$work/narrow/datasheet/data/fa_failed.dat" || bad=1
done
check "C=1p: failed amplitudes ($(echo $failed_amps)) are marks, not points of the line" "$bad"
grep -q "failed run" "$work/narrow/datasheet/plots.gp" && grep -q "chattering at 3 V" "$work/narrow/datasheet/index.html"
check "C=1p: the plot marks the failed runs and the caption names them" $?
# plots.gp runs from the datasheet folder
rm -f "$work/narrow/datasheet/"*.svg
(cd "$work/narrow/datasheet" && gnuplot plots.gp >/dev/null 2>&1)
check "plots.gp redraws from its folder" $([ -s "$work/narrow/datasheet/fa_curve.svg" ]; echo $?)
if grep -q "$work" "$work/narrow/datasheet/plots.gp"; then bad=1; else bad=0; fi
check "plots.gp names no path of the run's directory" "$bad"
# numbers: temperature with its given digits, an R² that is not 1 never shown as 1
grep -q 'data-column="temp" data-value="300.14999999999998">300.15 K<' "$work/type1/datasheet/index.html"
check "type1: the temperature shows as 300.15 K" $?
bad=$(grep -o 'data-column="[a-z_]*_r2" data-value="[^"]*">[^<]*<' "$work/narrow/datasheet/index.html" |
  awk -F'"' '{v = $4; split($5, t, /[><]/); if (t[2] == "1" && v != "1") print $2}')
check "no R² below 1 shows as 1 ($bad)" $([ -z "$bad" ]; echo $?)
# the components the neuron is built from, default or not
comp() {
  local name=$1
  shift
  for c in "$@"; do
    sed -n '/id="components"/,/<\/table>/p' "$work/$name/datasheet/index.html" | grep -q "data-column=\"$c\""
    check "$name: component $c is listed" $?
  done
}
comp type1 R_in R1 R2 R3 R4 R5 R6 C VDD scr.I_GT scr.I_H
comp type2 R7 C2
comp mott mott.V_th mott.I_hold
if sed -n '/id="components"/,/<\/table>/p' "$work/mott/datasheet/index.html" | grep -q 'data-column="R1"'; then
  bad=1
else
  bad=0
fi
check "mott: no R1 among its components" "$bad"
# key figures: tau_adapt of a type II neuron, I_GT and I_H of the curve tracer
grep -q '<tr><td>adaptation time constant (tau_adapt)</td><td><span class="v" data-csv="points.csv" data-row="0" data-column="tau_adapt_s"' \
  "$work/type2/datasheet/index.html"
check "type2: tau_adapt is a key figure" $?
# a dc stimulus: its conditions show the fields a dc source has
"$uclif" characterize --set kind=dc --set duration=5m --periods off --curve-tracer --out "$work/dc" \
  >/dev/null 2>"$work/dc.err"
rc=$?; check "dc: characterize exits 0 ($(cat "$work/dc.err"))" "$rc"
row=$(grep -o '<table id="stimulus"><tr><th>stimulus</th><td>[^/]*/span>[^/]*/span></td>' "$work/dc/datasheet/index.html")
echo "$row" | grep -q 'dc, amplitude .*, window' && ! echo "$row" | grep -q 'data-column="width"\|data-column="period"'
check "dc: the stimulus row shows amplitude and window, no width or period ($row)" $?
for c in I_GT_A I_H_A; do
  sed -n '/id="key"/,/<\/table>/p' "$work/dc/datasheet/index.html" | grep -q "data-column=\"$c\""
  check "curve tracer: $c is a key figure" $?
done
"$checker" "$work/dc" 40 >/dev/null
check "dc: every number equals the CSVs'" $?
# a Mott soma: nothing named after a gate junction
# (the published VO2 neuron's "junctionless FET" is another device)
jn=$(grep -io ".\{0,60\}\bjunction\b.\{0,20\}" "$work/mott/datasheet/plots.gp" "$work/mott/datasheet/index.html")
check "mott: no 'junction' in its page or plots ($jn)" $([ -z "$jn" ]; echo $?)
# a rebuilt datasheet/ holds only this run's files; --no-datasheet removes the folder
cp -r "$work/type1" "$work/rebuilt"
"$uclif" characterize --periods off --set duration=5m --out "$work/rebuilt" >/dev/null 2>&1
check "--periods off: the earlier threshold_period plot and data are gone" \
  $([ ! -e "$work/rebuilt/datasheet/threshold_period.svg" ] && [ ! -e "$work/rebuilt/datasheet/data/threshold_period.dat" ]; echo $?)
"$uclif" characterize --no-datasheet --set duration=5m --out "$work/rebuilt" >"$work/rebuilt.out" 2>&1
check "--no-datasheet: the earlier datasheet/ folder is removed ($(cat "$work/rebuilt.out"))" \
  $([ ! -e "$work/rebuilt/datasheet" ] && grep -q "removed .*datasheet/" "$work/rebuilt.out"; echo $?)
"$uclif" characterize --set duration=5m --out "$work/rebuilt" >/dev/null 2>&1
echo mine >"$work/rebuilt/datasheet/notes.txt"
"$uclif" characterize --no-datasheet --set duration=5m --out "$work/rebuilt" >"$work/rebuilt.out" 2>&1
check "--no-datasheet: a file uclif did not write stays, and it says so" \
  $([ -s "$work/rebuilt/datasheet/notes.txt" ] && [ ! -e "$work/rebuilt/datasheet/index.html" ] &&
    [ "$(ls "$work/rebuilt/datasheet")" = notes.txt ] && grep -q "left the folder" "$work/rebuilt.out"; echo $?)
# a period longer than the window: refused with a hint
"$uclif" characterize --periods 100 --out "$work/p100" >/dev/null 2>"$work/p100.err"
rc=$?
check "--periods 100: exit 2 with a hint ($rc: $(cat "$work/p100.err"))" \
  $([ "$rc" -eq 2 ] && grep -q -- "--periods" "$work/p100.err" && grep -q "did you mean 100u?" "$work/p100.err" &&
    [ ! -e "$work/p100/points.csv" ]; echo $?)
# --no-datasheet has one wording: --help, README.md and docs/outputs.md
words="write the CSVs only: points.csv, rate_curves.csv and, with --periods, threshold_period.csv; no fits.csv and no DIR/datasheet/ (an earlier run's datasheet folder is removed: the files uclif writes there, and the folder when nothing else is in it)"
for f in help README.md docs/outputs.md; do
  if [ "$f" = help ]; then text=$("$uclif" characterize --help); else text=$(tr -d '`' <"$src/$f"); fi
  echo "$text" | tr -s ' \n' '  ' | grep -qF "$words"
  check "--no-datasheet: $f has the one wording" $?
done

# the checker is not vacuous: a changed number, and a number shown wrongly, are caught
cp -r "$work/type1" "$work/bad1"
sed -i '0,/data-column="threshold_V" data-value="[0-9.e+-]*"/s//data-column="threshold_V" data-value="5.5"/' \
  "$work/bad1/datasheet/index.html"
"$checker" "$work/bad1" >"$work/bad1.check"
check "a changed data-value is caught" $([ $? -eq 1 ] && grep -q "threshold_V" "$work/bad1.check"; echo $?)
cp -r "$work/type1" "$work/bad2"
sed -i '0,/\(data-column="tau_ref_s" data-value="[^"]*">\)[^<]*</s//\1 99 s</' "$work/bad2/datasheet/index.html"
"$checker" "$work/bad2" >"$work/bad2.check"
check "a number shown wrongly is caught" $([ $? -eq 1 ] && grep -q "tau_ref_s" "$work/bad2.check"; echo $?)

# without gnuplot: the CSVs are written, the command says what is missing, exit 1
mkdir -p "$work/nogp"
PATH="$work/nogp" "$uclif" characterize --set duration=5m --out "$work/nogp/out" >/dev/null \
  2>"$work/nogp.err"
rc=$?
check "without gnuplot: exit 1 ($rc)" $([ "$rc" -eq 1 ]; echo $?)
grep -q "gnuplot" "$work/nogp.err" && grep -q -- "--no-datasheet" "$work/nogp.err"
rc=$?; check "without gnuplot: the message names gnuplot and --no-datasheet ($(cat "$work/nogp.err"))" "$rc"
check "without gnuplot: points.csv written" $([ -s "$work/nogp/out/points.csv" ]; echo $?)
check "without gnuplot: no page" $([ ! -e "$work/nogp/out/datasheet/index.html" ]; echo $?)

# --no-datasheet: the CSVs only, and no stale page or files from the run before
"$uclif" characterize --no-datasheet --set duration=10m --out "$work/type1" >"$work/nods.out" 2>&1
rc=$?; check "--no-datasheet exits 0 ($(cat "$work/nods.out"))" "$rc"
check "--no-datasheet: the earlier page is removed" \
  $([ ! -e "$work/type1/datasheet/index.html" ]; echo $?)
check "--no-datasheet: the earlier threshold_period.csv and fits.csv are removed" \
  $([ ! -e "$work/type1/threshold_period.csv" ] && [ ! -e "$work/type1/fits.csv" ]; echo $?)

# bad --periods: exit 2, the option named, nothing written
"$uclif" characterize --periods 5u --out "$work/badp" >/dev/null 2>"$work/badp.err"
rc=$?
check "a period not longer than the width exits 2 ($rc)" $([ "$rc" -eq 2 ]; echo $?)
grep -q -- "--periods" "$work/badp.err"
rc=$?; check "the message names --periods ($(cat "$work/badp.err"))" "$rc"
check "nothing written for a bad --periods" $([ ! -e "$work/badp/points.csv" ]; echo $?)
"$uclif" characterize --periods 1x --out "$work/badp2" >/dev/null 2>"$work/badp2.err"
check "a malformed --periods exits 2" $([ $? -eq 2 ]; echo $?)
"$uclif" characterize --set rise=5u --set fall=5u --periods 15u,30u --out "$work/badp3" \
  >/dev/null 2>"$work/badp3.err"
rc=$?
check "a period the pulse with its edges does not fit in exits 2 ($rc)" $([ "$rc" -eq 2 ]; echo $?)
check "nothing written for it" $([ ! -e "$work/badp3/points.csv" ]; echo $?)
# the default periods leave out those the pulse does not fit in (here 12.5 us of 25 us)
"$uclif" characterize --set rise=5u --set fall=5u --set period=25u --set duration=2m \
  --out "$work/edges" >/dev/null 2>"$work/edges.err"
rc=$?; check "pulses with edges: characterize exits 0 ($(cat "$work/edges.err"))" "$rc"
check "pulses with edges: three default periods" \
  $([ "$(wc -l <"$work/edges/threshold_period.csv")" -eq 4 ]; echo $?)
"$uclif" characterize --out "$work/q'uote" >/dev/null 2>"$work/quote.err"
rc=$?
check "a quote in the directory is refused before any work ($rc)" \
  $([ "$rc" -eq 2 ] && [ ! -e "$work/q'uote/points.csv" ]; echo $?)

# a run that cannot draw its page removes the earlier run's page (it would show old numbers)
"$uclif" characterize --set duration=5m --out "$work/stale" >/dev/null 2>&1
PATH="$work/nogp" "$uclif" characterize --set duration=5m --set amplitude=8 --out "$work/stale" \
  >/dev/null 2>&1
check "a failed page leaves no stale page" $([ ! -e "$work/stale/datasheet/index.html" ]; echo $?)
# an unwritable data file fails the page, exit 1, no crash
mkdir -p "$work/unw/datasheet/data/leak_fit_0.dat"
"$uclif" characterize --set duration=5m --out "$work/unw" >/dev/null 2>"$work/unw.err"
rc=$?
check "an unwritable data file: exit 1, named ($rc: $(cat "$work/unw.err"))" \
  $([ "$rc" -eq 1 ] && grep -q "leak_fit_0.dat" "$work/unw.err"; echo $?)

# in a browser (when chromium is there: cli_report_browser installs it): every image loads
if command -v chromium >/dev/null; then
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --user-data-dir="$work/profile" --dump-dom "file://$work/type2/datasheet/index.html" \
    >"$work/dom.html" 2>/dev/null
  imgs=$(grep -c '<img src=' "$work/type2/datasheet/index.html")
  grep -q "images loaded: $imgs of $imgs" "$work/dom.html"
  check "chromium loads every image of the datasheet ($imgs)" $?
fi
finish
