#!/usr/bin/env bash
# Checks of derived quantities and device consistency (docs/spec.md, Checks), black box:
# rise + width + fall = period as typed (3u + 94u + 3u = 100u, 1.4e-16 s over once rounded) is
# accepted by simulate, sweep (a row with status ok), netlist and tune, a value just over it is
# still refused; scr.I_L below scr.I_H warns once per command on stderr and in the sweep's
# manifest; tune's bom.csv lists every part in RKM code with the semiconductors by part number.
# Usage: test_checks.sh UCLIF SOURCE_DIR
set -u
uclif=$1
src=$2
. "$src/tests/mpi/mpi_env.sh" # check/finish; MPI as root
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pulse='[stimulus]\nkind = pulses\namplitude = 7\nrise = 3u\nwidth = 94u\nfall = 3u\nperiod = 100u\nduration = 1m\n'
printf "$pulse" >"$work/fill.ini"

# --- the pulse that fills its period, in every command ---
"$uclif" simulate "$work/fill.ini" -o "$work/sim" --quiet 2>"$work/err"
rc=$?; check "simulate accepts rise + width + fall = period ($(cat "$work/err"))" "$rc"
check "simulate wrote its waveform" $([ -s "$work/sim/waveform.csv" ]; echo $?)
"$uclif" netlist "$work/fill.ini" -o "$work/fill.cir" 2>"$work/err"
rc=$?; check "netlist accepts it ($(cat "$work/err"))" "$rc"
grep -q "^Vin in 0 PULSE(0 7 0 3e-06 3e-06 9.4e-05 0.0001)" "$work/fill.cir"
rc=$?; check "the netlist's source is that pulse ($(grep '^Vin' "$work/fill.cir"))" "$rc"
"$uclif" simulate "$work/fill.ini" --set width=94.001u -o "$work/over" --quiet 2>"$work/err"
check "simulate refuses a pulse 1 ns over its period (exit 2)" $([ $? -eq 2 ]; echo $?)
grep -qF "width=94.001u: a pulse (rise + width + fall = 0.000100001 s) does not fit in its period (0.0001 s)" "$work/err"
rc=$?; check "and says by how much ($(cat "$work/err"))" "$rc"
"$uclif" netlist "$work/fill.ini" --set width=94.001u -o "$work/over.cir" 2>/dev/null
check "netlist refuses it too (exit 2)" $([ $? -eq 2 ]; echo $?)

# --- a sweep: the valid point is a row with status ok, the one just over a range row; the
# I_L < I_H warning once on stderr and once in the manifest ---
{ printf '[run]\nname = checks\n[circuit]\nscr.I_L = 0.1m\n'
  printf "$pulse" | grep -v '^width'
  printf '[sweep]\nwidth = 94u, 94.001u\nR1 = 68k, 100k\n[characterize]\nrate_curve = 7\ntau_leak = off\n'
} >"$work/sweep.ini"
sweep1 "$uclif" sweep "$work/sweep.ini" -o "$work/sw" --quiet 2>"$work/err"
rc=$?; check "the sweep runs ($(cat "$work/err"))" "$rc"
status() { gawk -F, -v p="$1" 'NR > 1 && $1 == p { gsub(/"/, "", $2); print $2 }' "$work/sw/points.csv"; }
check "point 0 (width 94u, R1 68k) is ok ($(status 0))" $([ "$(status 0)" = ok ]; echo $?)
check "point 1 (width 94u, R1 100k) is ok ($(status 1))" $([ "$(status 1)" = ok ]; echo $?)
check "point 2 (width 94.001u) is a range row ($(status 2))" $([ "$(status 2)" = range ]; echo $?)
n=$(grep -c "warning: scr.I_L (0.0001 A) is below scr.I_H (0.0002 A)" "$work/err")
check "the warning is printed once, not per point ($n times)" $([ "$n" -eq 1 ]; echo $?)
grep -q "^uclif sweep: warning: scr.I_L .* (at 2 of 4 points; first: point 0)$" "$work/err"
rc=$?; check "it counts the valid points that have it ($(grep warning "$work/err"))" "$rc"
n=$(grep -c "^warning = scr.I_L (0.0001 A) is below scr.I_H (0.0002 A).*(at 2 of 4 points; first: point 0)$" "$work/sw/manifest.txt")
check "the manifest has it once ($n)" $([ "$n" -eq 1 ]; echo $?)
sweep1 "$uclif" merge "$work/sw" --spec "$work/sweep.ini" --quiet 2>/dev/null
n=$(grep -c "^warning = scr.I_L" "$work/sw/manifest.txt")
check "uclif merge writes it into the manifest too ($n)" $([ "$n" -eq 1 ]; echo $?)
"$uclif" simulate "$work/fill.ini" --set scr.I_L=0.1m -o "$work/w1" --quiet 2>"$work/err"
n=$(grep -c "^uclif simulate: warning: scr.I_L (0.0001 A) is below scr.I_H (0.0002 A)" "$work/err")
check "simulate prints it once ($n)" $([ "$n" -eq 1 ]; echo $?)
"$uclif" simulate "$work/fill.ini" -o "$work/w0" --quiet 2>"$work/err"
check "the defaults give no warning ($(cat "$work/err"))" $([ ! -s "$work/err" ]; echo $?)
sweep1 "$uclif" sweep "$src/tests/specs/sweep-small.ini" --set duration=1m -o "$work/sw0" --quiet 2>"$work/err"
check "a sweep of ordinary values: no warning in the manifest" $(! grep -q "^warning" "$work/sw0/manifest.txt"; echo $?)

# --- tune: the same pulse; the BOM as a buyer reads it ---
{ printf '[circuit]\nC = 18n\n'
  printf "$pulse"
  printf '[characterize]\nthreshold.tol = 0.5\nrheobase = off\ntau_ref = off\ntau_leak = off\n'
  printf 'energy = off\nrate_curve = 7\n[targets]\nthreshold_V = 2 +- 90%%\n'
} >"$work/tune.ini"
$MPIRUN -np 2 "$uclif" tune "$work/tune.ini" -o "$work/tu" --quiet 2>"$work/err"
rc=$?; check "tune accepts the pulse and meets its target ($(tail -1 "$work/err"))" "$rc"
grep -q "^yield = 1.0000 " "$work/tu/tune.txt"
rc=$?; check "every draw is characterized ($(grep '^yield' "$work/tu/tune.txt"))" "$rc"
col() { # DESIGNATOR COLUMN: the bom.csv cell
  gawk -F, -v d="\"$1\"" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) { h = $i; gsub(/"/, "", h); if (h == c) k = i } }
    NR > 1 && $1 == d { v = $k; gsub(/"/, "", v); print v }' "$work/tu/bom.csv"
}
for row in "C nominal 18n" "R1 nominal 68k" "R3 nominal 1k5" "R5 nominal 4k7" "R2 nominal 390k" \
  "R_in nominal 10k" "R_in role not drawn" "R_in tolerance_pct 1" "D part_number 1N4148" \
  "SCR part_number CR02AM" "T1 part_number IRLML6246" "T2 part_number ZVP3310A" "C role fixed"; do
  set -- $row
  d=$1 c=$2
  shift 2
  check "bom.csv: $d $c = '$*' (got '$(col "$d" "$c")')" $([ "$(col "$d" "$c")" = "$*" ]; echo $?)
done
check "bom.csv: no 1.7999999999999999e-08 as a nominal value" $(! grep -q '"1.79' "$work/tu/bom.csv"; echo $?)
check "bom.csv: 12 parts (7 toleranced, R_in, D, SCR, T1, T2)" $([ "$(wc -l <"$work/tu/bom.csv")" -eq 13 ]; echo $?)
grep -q "^also on the board (not drawn): R_in 10k, D 1N4148, SCR CR02AM, T1 IRLML6246, T2 ZVP3310A$" "$work/tu/tune.txt"
rc=$?; check "tune.txt lists them ($(grep 'also on' "$work/tu/tune.txt"))" "$rc"
$MPIRUN -np 2 "$uclif" tune "$work/tune.ini" --set width=94.001u -o "$work/tu2" --quiet 2>"$work/err"
check "tune refuses the pulse just over its period (exit 2)" $([ $? -eq 2 ]; echo $?)
grep -q "does not fit in its period" "$work/err"
rc=$?; check "naming why ($(cat "$work/err"))" "$rc"
finish
