#!/usr/bin/env bash
# Regression checks of `uclif netlist` (issue 17, items 5 and 6) run by ngspice: a step of 1 ms
# (it wrote `.tran -9e-05 ...` and ngspice stopped with "TSTEP is invalid"), a --data path with
# a blank (written unquoted, ngspice wrote no data), file names ngspice cannot take (refused,
# exit 2, naming --data), a netlist too long to write (named file:line), and stimuli at the edges
# of what the simulator accepts (width = period, a step at 0 that lasts forever, zero edges, a
# 10 us run). Usage: netlist.sh UCLIF
set -u
uclif=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v ngspice >/dev/null || { echo "FAIL: ngspice is not installed (apt-get install ngspice)"; echo "0 passed, 1 failed"; exit 1; }
. "$(dirname "$0")/../check.sh"
cd "$work" || exit 1

# run NAME: ngspice -b NAME.cir; passes when its log has no error other than a failed measure
run() {
  ngspice -b "$1.cir" >"$1.log" 2>&1
  ! grep -iE "error|fatal|warning|too small|invalid|interrupted" "$1.log" |
    grep -qviE "measure|t_first_latch"
}
# columns FILE: the number of columns of FILE's lines (all alike), else "ragged"
columns() { gawk '{ n[NF]++ } END { k = 0; for (c in n) { k++; v = c } print (k == 1 ? v : "ragged") }' "$1"; }

# 1. the step of 1 ms: a positive TSTEP, ngspice runs it, and it latches as uclif does
"$uclif" netlist --set kind=step --set width=1m --set duration=2m -o step.cir
check "netlist of a 1 ms step: exit 0" $?
read -r tstep tstop tstart tmax < <(gawk '$1 == ".tran" { print $2, $3, $4, $5 }' step.cir)
echo "step: .tran $tstep $tstop $tstart $tmax"
check "step: TSTEP and TMAX > 0 ($tstep, $tmax), TSTOP the duration ($tstop)" \
  $(gawk -v a="$tstep" -v b="$tmax" -v c="$tstop" 'BEGIN { exit !(a > 0 && b > 0 && c == 0.002) }'; echo $?)
run step
check "ngspice runs the 1 ms step netlist" $?
check "step: ngspice measured a first latch" $(grep -q "t_first_latch *= " step.log; echo $?)
check "step: no 'TSTEP is invalid' any more" $(! grep -q "TSTEP is invalid" step.log; echo $?)

# 2. --data with a blank: quoted, and ngspice writes the file with time + 5 vectors (type I),
# time + 7 (type II)
mkdir -p "spice out"
"$uclif" netlist --set duration=1m --data "spice out/w.dat" -o blank.cir
check "netlist --data 'spice out/w.dat': exit 0" $?
check "the data file is quoted in wrdata" $(grep -qF "wrdata 'spice out/w.dat' " blank.cir; echo $?)
run blank
check "ngspice runs it" $?
check "ngspice wrote 'spice out/w.dat'" $([ -s "spice out/w.dat" ]; echo $?)
check "'spice out/w.dat' has 10 columns: time and v(in) v(m) v(k) v(out) v(s) ($(columns "spice out/w.dat"))" \
  $([ "$(columns "spice out/w.dat")" = 10 ]; echo $?)
check "no stray files 'spice' or 'out/w.dat'" $([ ! -e spice ] && [ ! -e out/w.dat ]; echo $?)
"$uclif" netlist --set neuron=type2 --set duration=1m --data "a b,c(d)&#x.dat" -o t2.cir &&
  run t2
check "type II with --data 'a b,c(d)&#x.dat': ngspice runs it" $?
check "'a b,c(d)&#x.dat' has 14 columns ($(columns "a b,c(d)&#x.dat" 2>/dev/null))" \
  $([ "$(columns "a b,c(d)&#x.dat" 2>/dev/null)" = 14 ]; echo $?)
"$uclif" netlist --set duration=100u --data "~tilde.dat" -o tilde.cir && run tilde
check "--data '~tilde.dat' is written here, not in a home directory" $([ -s "~tilde.dat" ]; echo $?)

# 3. names ngspice cannot take: refused with exit 2, naming --data and the character
for bad in "a;b.dat" "a'b.dat" 'a$b.dat' 'a{b}.dat' "a  b.dat" $'a\tb.dat' "aµb.dat" $'a\xffb'; do
  "$uclif" netlist --data "$bad" -o refused.cir 2>err.txt
  rc=$?
  check "--data '$bad': exit 2 ($rc), naming --data, nothing written ($(head -c 160 err.txt))" \
    $([ $rc = 2 ] && grep -q -- "--data" err.txt && [ ! -e refused.cir ]; echo $?)
done
# every printable ASCII character but '/': a name uclif accepts comes out of ngspice as that
# very file (the wrdata lines of all the accepted names, as uclif writes them, run in one netlist)
mkdir -p ascii
accepted=0
: >wrdata.txt
for code in $(seq 32 126); do
  c=$(printf "\\$(printf %03o "$code")")
  [ "$c" = / ] && continue
  if "$uclif" netlist --set duration=10u --data "ascii/a${c}b.dat" -o ascii.cir 2>/dev/null; then
    accepted=$((accepted + 1))
    grep '^wrdata ' ascii.cir >>wrdata.txt
    printf '%s\n' "ascii/a${c}b.dat" >>accepted.txt
  else
    case $c in "'" | '!' | '$' | ';' | '`' | '{') ;; *) check "--data 'a${c}b.dat' refused though ngspice takes it" 1 ;; esac
  fi
done
gawk 'NR == FNR { w = w $0 "\n"; next } /^\.endc/ { printf "%s", w } { print }' wrdata.txt ascii.cir >all.cir
run all
check "ngspice runs the $accepted wrdata lines" $?
missing=0
while IFS= read -r f; do [ -s "$f" ] || { missing=$((missing + 1)); echo "missing: '$f'"; }; done <accepted.txt
check "each of the $accepted names accepted is the file ngspice wrote ($missing missing)" \
  $([ $missing = 0 ] && [ "$(ls -A ascii | wc -l)" = "$accepted" ]; echo $?)
echo "printable ASCII characters accepted in a --data name: $accepted of 94 (all but '/')"
"$uclif" netlist --data "a;b.dat" 2>err.txt
check "the message names the byte: $(cat err.txt)" $(grep -q "byte 2 (';')" err.txt; echo $?)

# 4. a netlist that cannot be written (a PWL of too many corners) is named file:line
printf '[stimulus]\nkind = staircase\nperiod = 10u\nwidth = 2u\n# a long run\nduration = 2\n' >long.ini
"$uclif" netlist long.ini -o long.cir 2>err.txt
rc=$?
check "a staircase of 800000 corners: exit 2 ($rc), named long.ini:6 ($(cat err.txt))" \
  $([ $rc = 2 ] && grep -q "long.ini:6: .*duration" err.txt && [ ! -e long.cir ]; echo $?)
"$uclif" netlist long.ini --set duration=3 -o long.cir 2>err.txt
check "the same from --set: named '--set duration=3' ($(cat err.txt))" \
  $(grep -q -- "--set duration=3: " err.txt; echo $?)

# 5. values at the edges of what the simulator accepts; each netlist runs, and its PWL corners
# strictly increase
i=0
for case in "kind=pulses width=100u period=100u" "kind=pulses width=100u period=100u count=3" \
  "kind=staircase width=100u period=100u level_pulses=2" \
  "kind=pulses width=50u period=100u burst_on=300u burst_period=500u" \
  "kind=pulses width=98u period=100u rise=1u fall=1u burst_on=300u burst_period=400u" \
  "kind=step width=0 start=0" "kind=step width=0 start=100u" "kind=step width=1n start=0 duration=100u" \
  "kind=dc amplitude=7" "kind=pulses width=1u period=2u duration=10u" \
  "kind=staircase width=10u period=20u rise=5u fall=5u duration=300u" \
  "neuron=mott kind=pulses width=100u period=100u" \
  "scr.model=two_transistor kind=staircase width=100u period=100u level_pulses=1" \
  "neuron=type2 loop=series kind=step width=300u start=50u"; do
  i=$((i + 1))
  sets=()
  for kv in $case; do sets+=(--set "$kv"); done
  "$uclif" netlist --set duration=1m "${sets[@]}" --data "e$i.dat" -o "e$i.cir" 2>err.txt
  rc=$?; check "edge case $i ($case): netlist exit 0 ($(head -c 160 err.txt))" "$rc"
  run "e$i"
  check "edge case $i ($case): ngspice runs it" $?
  check "edge case $i ($case): ngspice wrote its data" $([ -s "e$i.dat" ]; echo $?)
  mono=$(gawk '/^Vin .*PWL\(/ { on = 1; sub(/.*PWL\(/, "") }
    on { c = /\)/; gsub(/^\+|\).*/, ""); for (k = 1; k < NF; k += 2) { if (n++ && !($k + 0 > last)) bad++; last = $k + 0 }
         if (c) on = 0 } END { print bad + 0 }' "e$i.cir")
  check "edge case $i ($case): PWL times strictly increase ($mono out of order)" $([ "$mono" = 0 ]; echo $?)
done
# width = period with ideal edges: the pulses keep their 1 ns edges inside the period
check "width = period: PULSE(0 6 0 1e-09 1e-09 9.9998e-05 0.0001)" \
  $(grep -qF "PULSE(0 6 0 1e-09 1e-09 9.9998e-05 0.0001)" e1.cir; echo $?)
finish
