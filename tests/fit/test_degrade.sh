#!/usr/bin/env bash
# test_degrade.sh DEGRADE — tests/fit/degrade (fits/example/README.md, "Synthesized recordings"):
# a linear ramp comes out at the expected quantized codes (clipped at the range) without noise;
# a constant channel's noise has the requested standard deviation (5 mV ± 5 %); the trigger
# offset shifts a step by 3 µs; the noise is reproducible by seed; gain, column selection and
# renaming apply; bad options and bad input exit 2 naming the option or file:line.
set -u
DEGRADE=${1:?usage: test_degrade.sh DEGRADE}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}
ok() { echo "ok: $*"; }

# --- a ramp, 0 to 2 V over 1 ms (V_in_V = 2000·t), and a constant 2.5 V (V_mem_V), CRLF and
# quoted names as uclif writes them
printf '"t_s","V_in_V","V_mem_V"\r\n0,0,2.5\r\n0.001,2,2.5\r\n' >"$TMP/ramp.csv"

# no noise, 16 bits over ±1 V: value k at t_k = k·10 µs is the code round(0.02·k/LSB)·LSB,
# LSB = 2/65536, clipped to 1 − LSB (the ramp passes the range at k = 50)
"$DEGRADE" "$TMP/ramp.csv" "$TMP/q.csv" --rate 100k --bits 16 --range 1 --noise 0 \
  --trigger-offset 0 || fail "ramp run exit $?"
bad=$(awk -F, 'NR > 1 {
    k = NR - 2; lsb = 2 / 65536; x = 2000 * k / 1e5;
    code = int(x / lsb + 0.5); if (code > 32767) code = 32767;
    want = code * lsb;
    if ($1 + 0 != k / 1e5 || ($2 - want) > 1e-8 * (want + 1e-12) || (want - $2) > 1e-8 * (want + 1e-12))
      print "row " k ": t " $1 " V_in " $2 " want " want;
    if ($3 != 0.999969482) print "row " k ": V_mem " $3 " want 1 - LSB = 0.999969482 (clipped)";
    n++ }
  END { if (n != 101) print n " rows, want 101 (0 ... 1 ms at 100 kS/s)" }' "$TMP/q.csv")
[ -z "$bad" ] && ok "ramp quantized and clipped" || fail "ramp: $(echo "$bad" | head -5)"

# the quantization is visible: a coarse 4-bit ADC over ±2 V (LSB 0.25 V) gives only those codes
"$DEGRADE" "$TMP/ramp.csv" "$TMP/q4.csv" --bits 4 --range 2 --columns t_s,V_in_V ||
  fail "4-bit run exit $?"
want4=$(awk 'BEGIN { for (k = 0; k <= 100; k++) { x = 0.02 * k; c = int(x / 0.25 + 0.5);
  if (c > 7) c = 7; printf "%g\n", c * 0.25 } }')
got4=$(awk -F, 'NR > 1 { printf "%g\n", $2 }' "$TMP/q4.csv")
[ "$got4" = "$want4" ] && ok "4-bit codes" || fail "4-bit codes differ"
[ "$(head -1 "$TMP/q4.csv" | tr -d '\r')" = '"t_s","V_in_V"' ] && ok "--columns" ||
  fail "--columns header: $(head -1 "$TMP/q4.csv")"

# --- noise: a constant channel over 1 s at 100 kS/s (100001 samples): the sample standard
# deviation is 5 mV ± 5 % (its own sampling error is 0.22 %), the mean 2.5 V ± 0.1 mV (3 SE)
printf 't_s,V_in_V,V_mem_V\n0,0,2.5\n1,2,2.5\n' >"$TMP/const.csv"
"$DEGRADE" "$TMP/const.csv" "$TMP/n1.csv" --noise 5m --seed 7 || fail "noise run exit $?"
stats=$(awk -F, 'NR > 1 { n++; s += $3; ss += $3 * $3 }
  END { m = s / n; sd = sqrt((ss - n * m * m) / (n - 1)); printf "%d %.6f %.6g", n, m, sd }' \
  "$TMP/n1.csv")
read -r n mean sd <<<"$stats"
awk -v n="$n" -v m="$mean" -v sd="$sd" 'BEGIN { exit !(n == 100001 && m > 2.4999 && m < 2.5001 &&
  sd > 0.00475 && sd < 0.00525) }' && ok "noise sd $sd V, mean $mean V over $n samples" ||
  fail "noise: n $n mean $mean sd $sd (want 100001, 2.5, 5 mV ± 5 %)"
# the two channels draw different noise (correlation of the V_mem noise with the ramp's residual)
corr=$(awk -F, 'NR > 1 { k = NR - 2; a = $2 - 2 * k / 1e5; b = $3 - 2.5; sab += a * b; saa += a * a;
  sbb += b * b } END { printf "%.4f", sab / sqrt(saa * sbb) }' "$TMP/n1.csv")
awk -v c="$corr" 'BEGIN { exit !(c < 0.02 && c > -0.02) }' && ok "channels independent ($corr)" ||
  fail "channels' noise correlated: $corr"

# --- reproducible by seed: the same seed gives the same file, another seed another one
"$DEGRADE" "$TMP/const.csv" "$TMP/n2.csv" --noise 5m --seed 7 || fail "noise run 2 exit $?"
cmp -s "$TMP/n1.csv" "$TMP/n2.csv" && ok "same seed, same file" || fail "same seed differs"
"$DEGRADE" "$TMP/const.csv" "$TMP/n3.csv" --noise 5m --seed 8 || fail "noise run 3 exit $?"
cmp -s "$TMP/n1.csv" "$TMP/n3.csv" && fail "another seed gives the same file" ||
  ok "another seed, another file"
# selecting a column does not change its noise (keyed by its index in IN)
"$DEGRADE" "$TMP/const.csv" "$TMP/n4.csv" --noise 5m --seed 7 --columns t_s,V_mem_V ||
  fail "noise run 4 exit $?"
[ "$(cut -d, -f3 "$TMP/n1.csv" | tail -n +2)" = "$(cut -d, -f2 "$TMP/n4.csv" | tail -n +2)" ] &&
  ok "noise keyed by IN column" || fail "selecting columns changed V_mem_V's noise"

# --- trigger offset: a step 0 -> 1 V at 102 µs (two rows at the same time, as at an event).
# At 1 MS/s the first high sample moves from 102 µs to 99 µs with a 3 µs offset; at 100 kS/s
# from 110 µs to 100 µs.
printf 't_s,V_in_V\n0,0\n0.000102,0\n0.000102,1\n0.0002,1\n' >"$TMP/step.csv"
first_high() { awk -F, 'NR > 1 && $2 > 0.5 { printf "%.0f", $1 * 1e6; exit }' "$1"; }
for spec in "1meg 0 102" "1meg 3u 99" "100k 0 110" "100k 3u 100"; do
  read -r rate off want <<<"$spec"
  "$DEGRADE" "$TMP/step.csv" "$TMP/s.csv" --rate "$rate" --trigger-offset "$off" ||
    fail "step run exit $?"
  got=$(first_high "$TMP/s.csv")
  [ "$got" = "$want" ] && ok "step at $rate, offset $off: first high sample at $got us" ||
    fail "step at $rate, offset $off: first high sample at $got us, want $want"
done
# before IN's first time the first value: a negative offset reads t < 0
"$DEGRADE" "$TMP/ramp.csv" "$TMP/neg.csv" --trigger-offset -20u --range 1 ||
  fail "negative offset exit $?"
[ "$(sed -n 2,4p "$TMP/neg.csv" | cut -d, -f2 | tr -d '\r' | tr '\n' ' ')" = "0 0 0 " ] &&
  ok "before IN's start: its first value" || fail "negative offset: $(sed -n 2,4p "$TMP/neg.csv")"

# --- gain, rename, t-end
"$DEGRADE" "$TMP/ramp.csv" "$TMP/g.csv" --gain V_mem_V=1.01 --rename V_mem_V=Vm --rename t_s=time \
  --t-end 0.5m || fail "gain run exit $?"
[ "$(head -1 "$TMP/g.csv" | tr -d '\r')" = '"time","V_in_V","Vm"' ] && ok "--rename" ||
  fail "--rename header: $(head -1 "$TMP/g.csv")"
# 2.525 V quantized (LSB 20/65536): code 8274 -> 2.52502441
[ "$(sed -n 2p "$TMP/g.csv" | cut -d, -f3 | tr -d '\r')" = "2.52502441" ] && ok "--gain 1.01" ||
  fail "--gain: $(sed -n 2p "$TMP/g.csv")"
[ "$(($(wc -l <"$TMP/g.csv") - 1))" = 51 ] && ok "--t-end 0.5m: 51 samples" ||
  fail "--t-end: $(($(wc -l <"$TMP/g.csv") - 1)) samples, want 51"
# --gain by the renamed name
"$DEGRADE" "$TMP/ramp.csv" "$TMP/g2.csv" --rename V_mem_V=Vm --gain Vm=1.01 --t-end 0.5m ||
  fail "gain by new name exit $?"
cmp -s <(cut -d, -f3 "$TMP/g.csv") <(cut -d, -f3 "$TMP/g2.csv") && ok "--gain by renamed name" ||
  fail "--gain by the renamed name differs"

# --- bad usage and bad input: exit 2, the option or file:line named, nothing written
expect_bad() { # WANT_TEXT ARGS...
  local want=$1
  shift
  rm -f "$TMP/bad.csv"
  "$DEGRADE" "$@" >"$TMP/out.txt" 2>"$TMP/err.txt"
  local rc=$?
  if [ $rc = 2 ] && grep -qF -- "$want" "$TMP/err.txt" && [ ! -e "$TMP/bad.csv" ]; then
    ok "refused: $want"
  else
    fail "want exit 2 and '$want', got exit $rc: $(head -1 "$TMP/err.txt")"
  fi
}
expect_bad "--rate: '0' must be > 0" "$TMP/ramp.csv" "$TMP/bad.csv" --rate 0
expect_bad "--rate: '5q' is not a number" "$TMP/ramp.csv" "$TMP/bad.csv" --rate 5q
expect_bad "--bits:" "$TMP/ramp.csv" "$TMP/bad.csv" --bits 33
expect_bad "--noise: '-1m' must be >= 0" "$TMP/ramp.csv" "$TMP/bad.csv" --noise -1m
expect_bad "--range: '0' must be > 0" "$TMP/ramp.csv" "$TMP/bad.csv" --range 0
expect_bad "--seed:" "$TMP/ramp.csv" "$TMP/bad.csv" --seed x
expect_bad "--trigger-offset: '3x' is not a number" "$TMP/ramp.csv" "$TMP/bad.csv" \
  --trigger-offset 3x
expect_bad "--gain: '1.01' is not NAME=VALUE" "$TMP/ramp.csv" "$TMP/bad.csv" --gain 1.01
expect_bad "--gain: no column 'V_out_V'" "$TMP/ramp.csv" "$TMP/bad.csv" --gain V_out_V=1.01
expect_bad "--gain: '-1' must be > 0" "$TMP/ramp.csv" "$TMP/bad.csv" --gain V_in_V=-1
expect_bad "--rename: no column 'X'" "$TMP/ramp.csv" "$TMP/bad.csv" --rename X=Y
expect_bad "--rename: 'V_mem_V' is already a column's name" "$TMP/ramp.csv" "$TMP/bad.csv" \
  --rename V_in_V=V_mem_V
expect_bad "--columns: no column 'V_out_V'" "$TMP/ramp.csv" "$TMP/bad.csv" --columns t_s,V_out_V
expect_bad "--columns: the time column 't_s' must come first" "$TMP/ramp.csv" "$TMP/bad.csv" \
  --columns V_in_V,t_s
expect_bad "--t-end: '-1' must be >= 0" "$TMP/ramp.csv" "$TMP/bad.csv" --t-end -1
expect_bad "--frobnicate: unknown option" "$TMP/ramp.csv" "$TMP/bad.csv" --frobnicate
expect_bad "--rate: a value is required" "$TMP/ramp.csv" "$TMP/bad.csv" --rate
expect_bad "IN.csv and OUT.csv expected" "$TMP/ramp.csv"
expect_bad "cannot open" "$TMP/missing.csv" "$TMP/bad.csv"
printf 't_s,V\n0,1\n1e-3,x\n' >"$TMP/nan.csv"
expect_bad "nan.csv:3: column 'V': 'x' is not a finite number" "$TMP/nan.csv" "$TMP/bad.csv"
printf 't_s,V\n0,1\n1e-3,nan\n' >"$TMP/nan2.csv"
expect_bad "nan2.csv:3: column 'V': 'nan' is not a finite number" "$TMP/nan2.csv" "$TMP/bad.csv"
printf 't_s,V\n0,1\n1e-3,2\n0.5e-3,2\n' >"$TMP/back.csv"
expect_bad "back.csv:4: time goes backwards" "$TMP/back.csv" "$TMP/bad.csv"
printf 't_s,V\n0,1\n1e-3\n' >"$TMP/short.csv"
expect_bad "short.csv:3: 1 fields, the header has 2" "$TMP/short.csv" "$TMP/bad.csv"

# an output that cannot be written: exit 1
"$DEGRADE" "$TMP/ramp.csv" "$TMP/no/such/dir/out.csv" 2>/dev/null
rc=$?
[ $rc = 1 ] && ok "unwritable output: exit 1" || fail "unwritable output: exit $rc, want 1"

if [ $fails -gt 0 ]; then
  echo "$fails failure(s)"
  exit 1
fi
echo "all degrade checks passed"
