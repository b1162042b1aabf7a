#!/usr/bin/env bash
# Black-box tests of the one reader of text inputs and of values as engineers write them
# (docs/spec.md "Text files", "Values"): a spec saved with LF, CR LF, CR alone or mixed line
# ends, or with a UTF-8 byte-order mark, gives the same configuration (read back from the
# netlist `uclif netlist` writes: R1, C and the .tran stop time); µ and μ, Ω and Ω, RKM code give
# the values written; a byte that cannot be read is refused with file:line, byte, column and its
# value, exit 2 and nothing written. Usage: test_text_inputs.sh UCLIF SOURCE_DIR
set -u
uclif=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$src/tests/check.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

bytes() { # name, printf format -> path (the bytes exactly, CR and non-ASCII included)
  printf "$2" >"$work/$1.ini"
  echo "$work/$1.ini"
}

# netlist NAME SPEC [ARGS...]: the netlist of the spec in $work/NAME.cir; checks exit 0
netlist() {
  local name=$1 spec=$2
  shift 2
  "$uclif" netlist "$spec" "$@" -o "$work/$name.cir" 2>"$work/stderr"
  local rc=$?
  check "$name: netlist exit 0 (got $rc: $(cat "$work/stderr"))" "$rc"
}

same() { # name1 name2: the same netlists but for the title line (it names the spec)
  cmp -s <(tail -n +2 "$work/$1.cir") <(tail -n +2 "$work/$2.cir")
}

has() { # name, fixed text: the netlist holds that line
  grep -qxF -- "$2" "$work/$1.cir"
  rc=$?; check "$1: netlist has '$2' (got: $(grep -E '^(R1|C) |^\.tran' "$work/$1.cir" | tr '\n' '|'))" "$rc"
}

# --- line ends and the byte-order mark: the issue's CR-only example and its siblings ---
netlist lf "$(bytes lf '# note\n[circuit]\nR1 = 1k\n[stimulus]\nduration = 1m\n')"
has lf "R1 m g 1000"
has lf ".tran 1e-06 0.001 0 1e-06 uic"
netlist cr "$(bytes cr '# note\r[circuit]\rR1 = 1k\r[stimulus]\rduration = 1m\r')"
netlist crlf "$(bytes crlf '# note\r\n[circuit]\r\nR1 = 1k\r\n[stimulus]\r\nduration = 1m\r\n')"
netlist mixed "$(bytes mixed '# note\r[circuit]\nR1 = 1k\r\n[stimulus]\rduration = 1m')"
netlist bom "$(bytes bom '\357\273\277[circuit]\r\nR1 = 1k\r\n[stimulus]\r\nduration = 1m\r\n')"
for n in cr crlf mixed bom; do
  has $n "R1 m g 1000"
  has $n ".tran 1e-06 0.001 0 1e-06 uic"
  same lf $n
  check "$n: the same netlist as with LF line ends" $?
done
"$uclif" simulate "$work/cr.ini" -o "$work/sim-cr" --quiet 2>"$work/stderr"
rc=$?; check "cr: simulate exit 0 ($(cat "$work/stderr"))" "$rc"
"$uclif" simulate "$work/bom.ini" -o "$work/sim-bom" --quiet 2>"$work/stderr"
rc=$?; check "bom: simulate exit 0 ($(cat "$work/stderr"))" "$rc"

# --- values: both micro characters, both ohm characters, RKM code ---
netlist micro-sign "$(bytes micro-sign '[circuit]\nC = 10\302\265\nR1 = 4k7\342\204\246\n')"
has micro-sign "C m 0 1e-05"
has micro-sign "R1 m g 4700"
netlist greek-mu "$(bytes greek-mu '[circuit]\nC = 10\316\274F\nR1 = 4.7k\316\251\n')"
same micro-sign greek-mu
check "greek-mu: the same netlist as with the micro sign and the ohm sign" $?
netlist rkm "$(bytes rkm '[circuit]\nR1 = 2R2\nC = 4n7\n')"
has rkm "R1 m g 2.2"
has rkm "C m 0 4.7e-09"
netlist rkm-set "$work/lf.ini" --set R1=R47 --set C=4µ7
has rkm-set "R1 m g 0.47"
has rkm-set "C m 0 4.7e-06"

# --- bytes that cannot be read, values not understood: exit 2, the place, nothing written ---
expect_bad() { # name, expected text, command args...
  local name=$1 text=$2
  shift 2
  local out="$work/out-$name"
  env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    "$uclif" "$@" -o "$out" >"$work/stdout" 2>"$work/stderr"
  local rc=$?
  check "$name: exit code 2 (got $rc)" $([ $rc -eq 2 ]; echo $?)
  grep -qF -- "$text" "$work/stderr"
  rc=$?; check "$name: message has '$text' (got: $(cat "$work/stderr"))" "$rc"
  check "$name: no output written" $([ ! -e "$out" ]; echo $?)
}
latin1=$(bytes latin1 '[circuit]\r\nC = 10\265\r\n')
expect_bad latin1-simulate "$latin1:2: byte 18 (column 7) is 0xB5, which is not UTF-8" simulate "$latin1"
expect_bad latin1-sweep "$latin1:2: byte 18 (column 7) is 0xB5" sweep "$latin1" --quiet
nul=$(bytes nul '[circuit]\nR1 = 1k\000\n')
expect_bad nul "$nul:2: byte 18 (column 8) is 0x00 (NUL)" netlist "$nul"
ctl=$(bytes ctl '[circuit]\r\rR1 = 1k\033\r')
expect_bad control "$ctl:3: byte 19 (column 8) is 0x1B, a control character" simulate "$ctl"
utf16=$(bytes utf16 '\377\376[\000c\000')
expect_bad utf16 "$utf16:1: byte 1 (column 1) is 0xFF: the text starts with a UTF-16" \
  simulate "$utf16"
expect_bad set-byte "--set: byte 7 (column 7) is 0xFF, which is not UTF-8" \
  simulate --set "$(printf 'R1=4k7\377')"
frac=$(bytes frac '[circuit]\nC = 10\302\274\n')
expect_bad not-understood "$frac:2: C: '10¼' is not a number: U+00BC '¼' is not understood; accepted: a decimal (2.2, 1e-6) with an optional SI suffix (f p n u µ μ m k meg G T)" \
  simulate "$frac"
expect_bad rkm-not-for-time "--set width=4u7: width: '4u7' is not a number: '7' is not understood" \
  simulate --set width=4u7

finish
