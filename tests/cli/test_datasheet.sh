#!/usr/bin/env bash
# The datasheet of `uclif characterize` (docs/outputs.md, "The datasheet"): for the default
# type I neuron, a type II neuron and a Mott soma, the page exists with its plots, names every
# parameter that is not at its default, and every number on it equals the CSVs' (datasheet_check);
# the checker is not vacuous; without gnuplot the CSVs are still written; --no-datasheet leaves
# no stale page. Usage: test_datasheet.sh UCLIF DATASHEET_CHECK SOURCE_DIR
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
