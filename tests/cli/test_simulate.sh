#!/usr/bin/env bash
# Black-box tests of `uclif simulate` and `uclif params`: exit codes, files written or not,
# error messages naming file:line or the option. Usage: test_simulate.sh UCLIF SOURCE_DIR
set -u
uclif=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$src/tests/check.sh"

# expect_bad NAME EXPECTED_TEXT ARGS... : exit 2, message contains text, nothing written
expect_bad() {
  local name=$1 text=$2
  shift 2
  local out="$work/out-$name"
  "$uclif" simulate "$@" --out "$out" >"$work/stdout" 2>"$work/stderr"
  local rc=$?
  check "$name: exit code 2 (got $rc)" $([ $rc -eq 2 ]; echo $?)
  grep -qF -- "$text" "$work/stderr"
  rc=$?; check "$name: message has '$text' (got: $(cat "$work/stderr"))" "$rc"
  check "$name: no output written" $([ ! -e "$out" ]; echo $?)
}

spec() { # name, content -> path
  printf '%b' "$2" >"$work/$1.ini"
  echo "$work/$1.ini"
}

# --- bad input ---
expect_bad unknown-param "$work/p1.ini:2: unknown parameter 'R9'" "$(spec p1 '[circuit]\nR9 = 1k\n')"
expect_bad zero-R "$work/p2.ini:3: R1 must be > 0" "$(spec p2 '[circuit]\nC = 15n\nR1 = 0\n')"
expect_bad negative-C "$work/p3.ini:2: C must be > 0" "$(spec p3 '[circuit]\nC = -1n\n')"
expect_bad malformed-si "$work/p4.ini:2: R2: '4.7x'" "$(spec p4 '[circuit]\nR2 = 4.7x\n')"
expect_bad t-end-zero "$work/p5.ini:2: duration must be > 0" "$(spec p5 '[stimulus]\nduration = 0\n')"
expect_bad unknown-neuron "$work/p6.ini:2: neuron: 'type3'" "$(spec p6 '[circuit]\nneuron = type3\n')"
expect_bad set-unknown "--set R9=1k: unknown parameter 'R9'" --set R9=1k
expect_bad set-zero-R "--set R3=0: R3 must be > 0" --set R3=0
expect_bad set-malformed "--set C=abc: C: 'abc' is not a number" --set C=abc
expect_bad set-t-end "--set duration=-1: duration must be > 0" --set duration=-1
expect_bad set-neuron "--set neuron=type9: neuron: 'type9'" --set neuron=type9
expect_bad no-file "nope.ini: cannot open" "$work/nope.ini"
expect_bad bad-option "unknown option '--frobnicate'" --frobnicate
expect_bad bad-sample "--sample -1" --sample -1
expect_bad too-many-rows "more than --max-samples" --sample 1n --max-samples 1000

# --- help and params ---
"$uclif" simulate --help >"$work/help" 2>&1
check "simulate --help exits 0" $?
grep -q -- "--sample DT" "$work/help"
check "simulate --help documents --sample" $?
"$uclif" >/dev/null 2>&1
check "no command exits 2" $([ $? -eq 2 ]; echo $?)
"$uclif" params >"$work/params" 2>&1
check "params exits 0" $?
for k in R_in scr.I_GT T3.n duration rtol; do
  grep -q "^  $k " "$work/params"
  check "params lists $k" $?
done
awk '/^Every parameter, as `uclif params` prints it/ { f = 1 } f && /^```$/ { if (n++) exit; next }
     f && n == 1' "$src/docs/model.md" | cmp -s - "$work/params"
check "docs/model.md holds the current \`uclif params\` output" $?
"$uclif" params --neuron type1 >"$work/params1" 2>&1
check "params --neuron type1 hides R7" $(! grep -q "^  R7 " "$work/params1"; echo $?)
check "params --neuron type1 hides the Mott switch" $(! grep -q "^  mott\.V_th " "$work/params1"; echo $?)
"$uclif" params --neuron mott >"$work/params3" 2>&1
check "params --neuron mott exits 0" $?
check "params --neuron mott lists mott.V_th and R3" \
  $(grep -q "^  mott\.V_th " "$work/params3" && grep -q "^  R3 " "$work/params3"; echo $?)
check "params --neuron mott hides R1 and the SCR" \
  $(! grep -qE "^  (R1|scr\.I_GT) " "$work/params3"; echo $?)
"$uclif" params --neuron type3 >/dev/null 2>&1
check "params --neuron type3 exits 2" $([ $? -eq 2 ]; echo $?)

# --- a good run ---
out="$work/good"
"$uclif" simulate "$src/sweeps/examples/type1-single.ini" --sample 10u --out "$out" \
  >"$work/stdout" 2>"$work/stderr"
rc=$?; check "good run exits 0 ($(cat "$work/stderr"))" "$rc"
check "waveform.csv written" $([ -s "$out/waveform.csv" ]; echo $?)
check "events.csv written" $([ -s "$out/events.csv" ]; echo $?)
head -1 "$out/waveform.csv" | grep -q '^"t_s","V_in_V","V_mem_V","V_gate_V","V_cathode_V","V_out_V","I_anode_A","I_gate_A","I_in_A","I_vdd_A","scr_on"'
check "waveform header" $?
head -1 "$out/events.csv" | grep -q '^"t_s","kind","unit","V_mem_V"'
check "events header" $?
latches=$(grep -c ',"latch",' "$out/events.csv")
spikes=$(sed -n 's/^spikes: \([0-9]*\).*/\1/p' "$work/stdout")
check "summary spike count ($spikes) equals latch rows ($latches)" $([ "$latches" -gt 5 ] && [ "$latches" = "$spikes" ]; echo $?)
check "no temporary files left" $([ -z "$(ls "$out" | grep tmp)" ]; echo $?)

# type II has the C2 column; --sample 0 writes no waveform
out="$work/t2"
"$uclif" simulate --set neuron=type2 --set duration=5m --out "$out" --quiet >/dev/null 2>&1
check "type2 run exits 0" $?
head -1 "$out/waveform.csv" | grep -q '"V_C2_V"'
check "type2 waveform has V_C2_V" $?
"$uclif" simulate --sample 0 --set duration=2m --out "$work/nowave" --quiet >/dev/null 2>&1
check "--sample 0 writes no waveform" $([ ! -e "$work/nowave/waveform.csv" ] && [ -e "$work/nowave/events.csv" ]; echo $?)

# a failed run: exit 1, the files hold what was computed, the reason is given
out="$work/fail"
"$uclif" simulate --set max_steps=200 --out "$out" >"$work/stdout" 2>"$work/stderr"
check "step limit exits 1" $([ $? -eq 1 ]; echo $?)
grep -q "run failed (limit)" "$work/stderr"
rc=$?; check "step limit reason given ($(cat "$work/stderr"))" "$rc"
check "partial waveform kept" $([ -s "$out/waveform.csv" ]; echo $?)

# every shipped spec is valid
for f in "$src"/sweeps/examples/*.ini "$src"/sweeps/paper/*.ini; do
  "$uclif" simulate "$f" --sample 0 --set duration=1m --out "$work/spec" --quiet >/dev/null 2>"$work/stderr"
  rc=$?; check "$(basename "$f") simulates ($(cat "$work/stderr"))" "$rc"
done

finish
