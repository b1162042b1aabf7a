#!/usr/bin/env bash
# Black-box tests of `uclif extract` (exit codes, the [circuit] block a spec can use, errors
# naming the option or quantity) and of characterize's curve-tracer columns.
# Usage: test_extract.sh UCLIF SOURCE_DIR
set -u
uclif=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$src/tests/check.sh"

# good input: a [circuit] block on standard output, usable as a spec
"$uclif" extract --I_GT 22.65u --I_H 0.2m >"$work/block.ini" 2>"$work/stderr"
rc=$?; check "extract exits 0 ($(cat "$work/stderr"))" "$rc"
for key in "scr.model = two_transistor" "scr.R_GK = " "scr.pnp.BF = " "scr.pnp.IS = " "scr.R_off = "; do
  grep -q "^$key" "$work/block.ini"
  check "block sets ${key%% =*}" $?
done
grep -q '^\[circuit\]$' "$work/block.ini"
check "block has a [circuit] section" $?
grep -q '^# the result at DC in those circuits: I_GT = 2.265e-05 A, I_H = 0.0002 A$' "$work/block.ini"
check "block states the DC I_GT and I_H it reproduces" $?
# the block is a spec: characterize it with the curve tracer on, I_GT and I_H back within 5 %
printf '\n[characterize]\ncurve_tracer = on\nrate_curve = 6\nrheobase = off\ntau_leak = off\ntau_ref = off\nenergy = off\n' >>"$work/block.ini"
"$uclif" characterize "$work/block.ini" --set duration=5m --out "$work/c" >"$work/stdout" 2>"$work/stderr"
rc=$?; check "characterize of the block exits 0 ($(cat "$work/stderr"))" "$rc"
python3 - "$work/c/points.csv" <<'PY'
import csv, sys
row = next(csv.DictReader(open(sys.argv[1])))
assert row["scr.model"] == "two_transistor", row["scr.model"]
for name, want in (("I_GT_A", 22.65e-6), ("I_H_A", 0.2e-3)):
    got = float(row[name])
    assert abs(got / want - 1) < 0.05, (name, got, want)
for name in ("I_GT_status", "I_H_status", "I_L_status"):
    assert row[name] == "ok", (name, row[name])
assert float(row["I_L_A"]) >= float(row["I_H_A"]) * 0.999
PY
check "curve-tracer columns of the extracted SCR (I_GT, I_H within 5 %)" $?
grep -q "curve tracer I_GT" "$work/stdout"
check "characterize's summary gives the curve tracer" $?
# off by default: the columns are there, empty, skipped
"$uclif" characterize --set duration=5m --out "$work/d" >/dev/null 2>&1
python3 - "$work/d/points.csv" <<'PY'
import csv, sys
row = next(csv.DictReader(open(sys.argv[1])))
assert row["I_GT_A"] == "" and row["I_GT_status"] == "skipped", row["I_GT_status"]
PY
check "curve tracer off by default (empty, skipped)" $?

# a non-default base: the block carries it (tnom, scr.npn.BF) and the extracted event levels, and
# alone (the block as the whole spec) reproduces the quantities it was extracted for
"$uclif" extract --I_GT 20u --I_H 1m --R_GK 1k --quiet --set scr.npn.BF=50 --set tnom=298.15 \
  >"$work/b3.ini" 2>"$work/stderr"
rc=$?; check "extract with a --set base exits 0 ($(cat "$work/stderr"))" "$rc"
for key in "scr.npn.BF = 50" "tnom = 298.1" "scr.I_A_latch = " "scr.I_A_unlatch = "; do
  grep -q "^$key" "$work/b3.ini"
  check "block carries ${key%% =*} from its base or the extraction" $?
done
n=$(grep -c "^scr.npn.TF\|^scr.pnp.CJE\|^temp " "$work/b3.ini")
check "block leaves out keys at their defaults ($n)" $([ "$n" -eq 0 ]; echo $?)
printf '\n[characterize]\ncurve_tracer = on\nrate_curve = 6\nrheobase = off\ntau_leak = off\ntau_ref = off\nenergy = off\n' >>"$work/b3.ini"
"$uclif" characterize "$work/b3.ini" --set duration=5m --set temp=298.15 --out "$work/e" >/dev/null 2>&1
python3 - "$work/e/points.csv" <<'PY'
import csv, sys
row = next(csv.DictReader(open(sys.argv[1])))
# the gate-open holding current the event levels were scaled to: I_A_latch / 2
want = float(row["scr.I_A_latch"]) / 2
assert row["I_GT_status"] == "ok" and abs(float(row["I_GT_A"]) / 20e-6 - 1) < 0.05, row["I_GT_A"]
assert row["I_H_status"] == "ok" and abs(float(row["I_H_A"]) / want - 1) < 0.05, (row["I_H_A"], want)
PY
check "the block alone reproduces I_GT and the gate-open I_H at tnom" $?

# -o FILE, and a V_TM the model cannot meet: a warning, exit 0, the comment in the block
"$uclif" extract --I_GT 22.7u --I_H 0.2m --V_TM 1.6 --I_TM 0.6 --I_DRM 0.1m --V_DRM 400 \
  -o "$work/b2.ini" >"$work/stdout" 2>"$work/stderr"
rc=$?; check "extract -o exits 0" "$rc"
grep -q "warning: V_TM = 1.6 V at 0.6 A cannot be met: the model has no series resistance" "$work/stderr"
check "V_TM warning on standard error" $?
grep -q "^# warning: V_TM" "$work/b2.ini"
check "V_TM warning in the block" $?
grep -q "^scr.R_off = 4e+06$" "$work/b2.ini"
check "R_off = V_DRM / I_DRM" $?
check "nothing on standard output with -o" $([ ! -s "$work/stdout" ]; echo $?)

# bad input: exit 2, the option named
expect_2() { # DESCRIPTION TEXT-IN-STDERR ARGS...
  local what=$1 text=$2
  shift 2
  "$uclif" extract "$@" >"$work/stdout" 2>"$work/stderr"
  local rc=$?
  check "$what exits 2 (got $rc)" $([ $rc -eq 2 ]; echo $?)
  grep -qF -- "$text" "$work/stderr"
  rc=$?; check "$what names it ($(cat "$work/stderr"))" "$rc"
}
expect_2 "bad number" "--I_H x: expected a number > 0" --I_GT 22.7u --I_H x
expect_2 "negative" "--I_GT -1: expected a number > 0" --I_GT -1 --I_H 0.2m
expect_2 "missing I_H" "--I_H is required" --I_GT 22.7u
expect_2 "V_TM without I_TM" "--I_TM is required with --V_TM" --I_GT 22.7u --I_H 0.2m --V_TM 1
expect_2 "bad R_GK" "--R_GK foo: expected a resistance" --I_GT 22.7u --I_H 0.2m --R_GK foo
expect_2 "unknown option" "--I_X" --I_GT 22.7u --I_H 0.2m --I_X 3
expect_2 "I_H no parameters reproduce" "I_H = 0.0002 A is below V_GK/R_GK" \
  --I_GT 22.7u --I_H 0.2m --R_GK 1k
"$uclif" extract --help >"$work/stdout" 2>&1
check "--help exits 0" $?
grep -q "^usage: uclif extract" "$work/stdout"
check "--help prints the usage" $?
finish
