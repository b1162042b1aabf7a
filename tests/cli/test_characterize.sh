#!/usr/bin/env bash
# Black-box tests of `uclif characterize`: exit codes, both CSVs with their headers, errors
# naming file:line, nothing written on bad input. Usage: test_characterize.sh UCLIF SOURCE_DIR
set -u
uclif=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$src/tests/check.sh"

out="$work/c1"
"$uclif" characterize "$src/sweeps/examples/type1-characterize.ini" --set duration=10m \
  --out "$out" >"$work/stdout" 2>"$work/stderr"
rc=$?; check "characterize exits 0 ($(cat "$work/stderr"))" "$rc"
check "points.csv written" $([ -s "$out/points.csv" ]; echo $?)
check "rate_curves.csv written" $([ -s "$out/rate_curves.csv" ]; echo $?)
check "points.csv has a header and one row" $([ "$(wc -l <"$out/points.csv")" -eq 2 ]; echo $?)
check "rate_curves.csv has 33 rows" $([ "$(wc -l <"$out/rate_curves.csv")" -eq 34 ]; echo $?)
head -1 "$out/points.csv" | grep -q '^"point","status","reason","neuron","R_in",'
check "points header starts with point, status, reason, parameters" $?
for col in threshold_V tau_leak_off_s tau_ref_s energy_per_spike_J adapt_index_efel; do
  head -1 "$out/points.csv" | grep -q "\"$col\""
  check "points.csv has $col" $?
done
head -1 "$out/rate_curves.csv" | grep -q '^"point","amplitude_V","simulated","status","spikes","rate_mean_Hz"'
check "rate_curves header" $?
sed -n 2p "$out/points.csv" | grep -q '^0,"ok","",'
check "the row is ok" $?
grep -q "^threshold: ok, " "$work/stdout"
check "summary gives the threshold" $?

# bad [characterize] input: exit 2, file:line, nothing written
printf '[characterize]\nthreshold = 5\n' >"$work/bad.ini"
"$uclif" characterize "$work/bad.ini" --out "$work/bad" >/dev/null 2>"$work/stderr"
check "bad threshold exits 2" $([ $? -eq 2 ]; echo $?)
grep -qF "$work/bad.ini:2: threshold: expected 'low, high'" "$work/stderr"
rc=$?; check "bad threshold names file:line ($(cat "$work/stderr"))" "$rc"
check "nothing written" $([ ! -e "$work/bad" ]; echo $?)
"$uclif" characterize --set R1=0 --out "$work/bad2" >/dev/null 2>"$work/stderr"
check "bad --set exits 2" $([ $? -eq 2 ]; echo $?)
check "nothing written for bad --set" $([ ! -e "$work/bad2" ]; echo $?)
"$uclif" characterize --help | grep -q "points.csv"
check "help mentions points.csv" $?

# a bracket that never fires is a status, not an error; the rest is measured
printf '[characterize]\nthreshold = 0.5, 3\nrate_curve = 4, 6\n' >"$work/never.ini"
"$uclif" characterize "$work/never.ini" --set duration=5m --out "$work/never" >/dev/null 2>"$work/stderr"
rc=$?; check "never-firing bracket exits 0 ($(cat "$work/stderr"))" "$rc"
grep -q '"never_fires"' "$work/never/points.csv"
check "threshold status never_fires recorded" $?
check "rate curve written" $([ "$(wc -l <"$work/never/rate_curves.csv")" -eq 3 ]; echo $?)

# failing simulations: the reason is in the row, exit 1, everything else still written
"$uclif" characterize --set max_steps=300 --out "$work/limit" >/dev/null 2>"$work/stderr"
check "step-limited characterization exits 1" $([ $? -eq 1 ]; echo $?)
grep -q 'step limit' "$work/stderr"
rc=$?; check "the failure is explained ($(cat "$work/stderr"))" "$rc"
sed -n 2p "$work/limit/points.csv" | grep -q '^0,"limit","'
check "row status limit with its reason" $?
check "rate curve still written" $([ "$(wc -l <"$work/limit/rate_curves.csv")" -eq 34 ]; echo $?)

finish
