#!/usr/bin/env bash
# `uclif tune`: the round trip (the features of a known E-series design as targets: tune finds a
# design meeting them), yield with 10 % capacitors below yield with 1 %, the same numbers at 1
# and 2 ranks, a fit's model uncertainty ([tune] fit) lowering the yield, and unknown,
# contradictory and unreachable targets and a bad parameters.csv named in the message.
# Usage: test_tune.sh UCLIF SOURCE_DIR
set -u
uclif=$1
src=$2
. "$src/tests/mpi/mpi_env.sh" # check/finish; MPI as root
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rt="$src/tests/specs/tune/round-trip.ini"

# the targets really are the features of R1 = 68k, C = 15n
sed -e 's/^R1 = 33k/R1 = 68k/' -e 's/^C = 33n/C = 15n/' "$rt" | grep -v "^\(R1\|C\) = .*, e24" >"$work/design.ini"
"$uclif" characterize "$work/design.ini" --out "$work/ch" --quiet 2>"$work/err"
rc=$?; check "characterize the known design ($(cat "$work/err"))" "$rc"
feat() { gawk -F, -v c="$1" 'NR == 1 { for (i = 1; i <= NF; i++) { h = $i; gsub(/"/, "", h); if (h == c) k = i } } NR == 2 { print $k }' "$work/ch/points.csv"; }
thr=$(feat threshold_V)
tau=$(feat tau_leak_off_s)
check "its threshold is the target's 5.07 V ($thr)" $(awk -v v="$thr" 'BEGIN { exit !(v > 5.07 * 0.99 && v < 5.07 * 1.01) }'; echo $?)
check "its tau_leak is the target's 6.83 ms ($tau)" $(awk -v v="$tau" 'BEGIN { exit !(v > 6.83e-3 * 0.99 && v < 6.83e-3 * 1.01) }'; echo $?)

$MPIRUN -np 2 "$uclif" tune "$rt" -o "$work/rt" --quiet >"$work/out" 2>"$work/err"
rc=$?; check "round trip: tune exits 0 ($(tail -2 "$work/err"))" "$rc"
grep -q "^snapped design meets every target: yes" "$work/rt/tune.txt"
check "the snapped design meets every target" $?
# the values as numbers: %.17g writes the E24 value 15n as 1.5000000000000002e-08
# (columns: designator, nominal, part_number, value, unit, series, tolerance_pct, role, ...)
gawk -F, '$1 == "\"R1\"" && $2 == "\"68k\"" && $4 == 68000 && $6 == "\"E24\"" && $8 == "\"tuned\"" { r = 1 }
  $1 == "\"C\"" && $2 == "\"15n\"" && $4 > 15e-9 * (1 - 1e-12) && $4 < 15e-9 * (1 + 1e-12) && $8 == "\"tuned\"" { c = 1 }
  END { exit !(r && c) }' "$work/rt/bom.csv"
rc=$?; check "and it is R1 = 68k, C = 15n ($(grep tuned "$work/rt/bom.csv" | tr '\n' ' '))" "$rc"
check "bom.csv lists every part (7 toleranced, R_in, D, SCR, T1, T2)" $([ "$(wc -l <"$work/rt/bom.csv")" -eq 13 ]; echo $?)
check "draws.csv has 1000 draws" $([ "$(wc -l <"$work/rt/draws.csv")" -eq 1001 ]; echo $?)
grep -q "^XSCR\|^\.tran\|R1 " "$work/rt/design.cir"
check "design.cir is a netlist" $?

# yield: the same design with 1 % and 10 % capacitors (no free parts: analysis only). Reduced
# (UCL_TEST_REDUCED, the sanitizer build, tests/run.sh): the 1 % run alone; the 10 % run and its
# 1-rank repeat run the same analysis code again, and the comparisons they make (yield falls
# with the tolerance, the same draws on 1 and 2 ranks) are numbers the release build checks.
tols="1 10"
[ -n "${UCL_TEST_REDUCED:-}" ] && tols=1
for tol in $tols; do
  sed -e 's/^R1 = 33k/R1 = 68k/' -e 's/^C = 33n/C = 15n/' -e "s/^capacitors = .*/capacitors = $tol%/" "$rt" |
    grep -v "^\(R1\|C\) = .*, e24" >"$work/y$tol.ini"
  $MPIRUN -np 2 "$uclif" tune "$work/y$tol.ini" -o "$work/y$tol" --quiet >/dev/null 2>"$work/err"
  rc=$?; check "yield with $tol % capacitors runs ($(tail -1 "$work/err"))" "$rc"
done
y1=$(sed -n 's/^yield = \([0-9.]*\) .*/\1/p' "$work/y1/tune.txt")
grep -q "95% CI" "$work/y1/tune.txt"
check "the yield has its confidence interval" $?
if [ -z "${UCL_TEST_REDUCED:-}" ]; then
  y10=$(sed -n 's/^yield = \([0-9.]*\) .*/\1/p' "$work/y10/tune.txt")
  check "yield with 10 % capacitors ($y10) is lower than with 1 % ($y1)" $(awk -v a="$y10" -v b="$y1" 'BEGIN { exit !(a < b) }'; echo $?)
  sweep1 "$uclif" tune "$work/y10.ini" -o "$work/y10-1rank" --quiet >/dev/null 2>&1
  cmp -s "$work/y10/draws.csv" "$work/y10-1rank/draws.csv"
  check "1 and 2 ranks: the same draws.csv" $?
  check "1 and 2 ranks: the same yield" $([ "$(grep '^yield' "$work/y10/tune.txt")" = "$(grep '^yield' "$work/y10-1rank/tune.txt")" ]; echo $?)
else
  echo "SKIP (UCL_TEST_REDUCED): the 10 % capacitors' yield and its 1-rank repeat"
fi

# [tune] fit: the model uncertainty of a fit (parameters.csv in a folder beside the spec) drawn
# with the parts. The fitted values are the defaults, so the design is y1's; the spread of I_GT
# and R_in (sd 0.3 and 0.2 in ln) moves the threshold: the yield falls below y1's. Only the
# threshold (tau_leak off, for speed): a yield with fewer targets can only be higher.
mkdir -p "$work/fit"
printf '%s\n' 'parameter,unit,scale,value,lo,hi,sd,ci95_lo,ci95_hi,verdict,pin_with,corr.scr.I_GT,corr.R_in,corr.daq.gain.V_mem_V' \
  'scr.I_GT,A,log,2.265e-05,1e-06,0.001,0.3,1.3e-05,4e-05,partly,a DC step,1,0.3,' \
  'R_in,Ohm,log,10000,1000,100000,0.2,6800,15000,partly,,0.3,1,' \
  'daq.gain.V_mem_V,,lin,1,0.9,1.1,inf,0.9,1.1,not identified,,,,' >"$work/fit/parameters.csv"
sed -e 's/^seed = 3/seed = 3\nfit = fit/' -e 's/^tau_leak\.amplitude.*/tau_leak = off/' \
  -e '/^tau_leak\.window/d' -e '/^tau_leak_off_s/d' "$work/y1.ini" >"$work/yfit.ini"
$MPIRUN -np 2 "$uclif" tune "$work/yfit.ini" -o "$work/yfit" >"$work/out" 2>"$work/err"
rc=$?; check "tune with fit = runs ($(tail -1 "$work/err"))" "$rc"
check "draws.csv: the drawn model parameters after the parts ($(head -1 "$work/yfit/draws.csv"))" \
  $(head -1 "$work/yfit/draws.csv" | tr -d '\r' | grep -q '"C","scr.I_GT","R_in"$'; echo $?)
yf=$(sed -n 's/^yield = \([0-9.]*\) .*/\1/p' "$work/yfit/tune.txt")
check "yield with the model uncertainty ($yf) is lower than without ($y1)" $(awk -v a="$yf" -v b="$y1" 'BEGIN { exit !(a < b) }'; echo $?)
grep -q "^the yield includes the model uncertainty from .*fit/parameters.csv: 2 model parameters drawn" "$work/yfit/tune.txt"
check "tune.txt says the yield includes the model uncertainty" $?
grep -q "^the yield includes the model uncertainty from .*fit/parameters.csv (2 model parameters drawn)" "$work/out"
check "and so does the summary" $?
# a bad parameters.csv: file:line, exit 2, nothing written
sed -i 's/^R_in,Ohm,log,10000,1000,100000,0.2,/R_in,Ohm,log,10000,1000,100000,-0.2,/' "$work/fit/parameters.csv"
sweep1 "$uclif" tune "$work/yfit.ini" -o "$work/yfit-bad" >/dev/null 2>"$work/err"
check "a negative sd in parameters.csv exits 2" $([ $? -eq 2 ]; echo $?)
grep -qF "fit/parameters.csv:3: R_in: sd -0.2 < 0" "$work/err"
rc=$?; check "and names file:line ($(cat "$work/err"))" "$rc"
check "a bad parameters.csv: nothing written" $([ ! -e "$work/yfit-bad" ]; echo $?)

# bad targets: exit 2 naming the target, nothing written
bad() { # NAME TARGET-LINE [CHARACTERIZE-LINE] EXPECTED-TEXT
  sed -e "s|^threshold_V = .*|$2|" "$rt" >"$work/bad.ini"
  [ -n "$3" ] && sed -i "s|^rheobase = off|rheobase = off\n$3|" "$work/bad.ini"
  sweep1 "$uclif" tune "$work/bad.ini" -o "$work/bad" >/dev/null 2>"$work/err"
  check "$1 exits 2" $([ $? -eq 2 ]; echo $?)
  grep -qF "$4" "$work/err"
  rc=$?; check "$1 named ($(cat "$work/err"))" "$rc"
  check "$1: nothing written" $([ ! -e "$work/bad" ]; echo $?)
}
bad "an unknown target" "threshold_volts = 5 +- 1%" "" "target 'threshold_volts': not a feature"
bad "a zero tolerance" "threshold_V = 5 +- 0%" "" "target 'threshold_V': the tolerance must be > 0"
bad "a target of a procedure switched off" "tau_ref_s = 20u +- 5%" "" "target 'tau_ref_s': contradicts [characterize] tau_ref = off"
bad "an adaptation target on type I" "tau_adapt_s = 3m +- 10%" "" "target 'tau_adapt_s': a type I neuron does not adapt"
# unreachable: exit 1 naming the target, the closest design written
sed -e "s|^threshold_V = .*|threshold_V = 40 +- 1%|" -e 's/^draws = .*//' "$rt" >"$work/far.ini"
$MPIRUN -np 2 "$uclif" tune "$work/far.ini" -o "$work/far" --quiet >/dev/null 2>"$work/err"
check "an unreachable target exits 1" $([ $? -eq 1 ]; echo $?)
grep -q "meets every target: threshold_V (wanted 40" "$work/err"
rc=$?; check "and names it ($(grep -o 'no design.*' "$work/err" | head -1))" "$rc"
check "the closest design is written" $([ -s "$work/far/bom.csv" ]; echo $?)
finish
