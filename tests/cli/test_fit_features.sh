#!/usr/bin/env bash
# `uclif fit` on measured features alone, with a known answer (docs/fit.md "Status"): the
# features of a type I neuron with R_in 13k and scr.I_GT 16u (the truth of fits/example) are
# measured by `uclif characterize` here, then fitted for R_in and scr.I_GT from the defaults
# (10k, 22.65u). The latency of the first spike and the first ISI under a DC step
# (ref_latency_s, ref_rate_first_isi_Hz: both smooth in R_in and I_GT, in different proportions)
# pin the two together; tau_leak_on_s barely moves with either (0.08 % for R_in + 8 %) and adds
# a residual, so that n - k = 1. Checks: each 95 % interval
# covers the truth and is narrow; both are "pinned"; the fit is a good one (features given with
# an SD of 0.1 %: chi2/(n-k) < 3); fit.txt's model values of the features are those of
# fitted.ini's circuit; the page says there is no waveform. Features no such circuit has (the
# first ISI's rate doubled) must give a poor fit.
# Usage: test_fit_features.sh UCLIF SOURCE_DIR
set -u
uclif=$1
src=$2
. "$src/tests/check.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

# what is measured and how: the same [characterize] and [stimulus] for the truth and the fit
common='[stimulus]
kind = step
start = 1m
amplitude = 4
width = 5m
period = 10m
duration = 6m
[characterize]
rate_curve = 4
adaptation = off
tau_ref = off
threshold = 0.5, 8'
cat >"$work/truth.ini" <<EOF
[circuit]
neuron = type1
R_in = 13k
scr.I_GT = 16u
$common
EOF
"$uclif" characterize "$work/truth.ini" -o "$work/truth" --quiet
check "characterize the truth (exit 0)" $?
# a feature of points.csv by its header's name
feature() {
  tr -d '"\r' <"$work/truth/points.csv" | awk -F, -v k="$1" '
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { print $c[k] }'
}
tau=$(feature tau_leak_on_s)
lat=$(feature ref_latency_s)
isi=$(feature ref_rate_first_isi_Hz)
awk -v a="$tau" -v b="$lat" -v c="$isi" 'BEGIN { exit !(a > 0 && b > 0 && c > 0) }'
check "the truth has tau_leak_on_s ($tau), ref_latency_s ($lat), ref_rate_first_isi_Hz ($isi)" $?

write_fit() { # $1 tau, $2 latency, $3 first-ISI rate
  cat >"$work/fit.ini" <<EOF
[circuit]
neuron = type1
$common
[fit]
starts = 8
local = 1
max_evals = 40
max_iter = 30
valley = 0
[fit.free]
R_in = 5k, 30k
scr.I_GT = 8u, 50u
[fit.features]
tau_leak_on_s = $1 +- 0.1%
ref_latency_s = $2 +- 0.1%
ref_rate_first_isi_Hz = $3 +- 0.1%
EOF
}
write_fit "$tau" "$lat" "$isi"
"$uclif" fit "$work/fit.ini" -o "$work/out" --quiet
check "fit the features (exit 0)" $?
row() { tr -d '"\r' <"$work/out/parameters.csv" | awk -F, -v k="$1" '
  NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  $c["parameter"] == k { print $c["value"], $c["ci95_lo"], $c["ci95_hi"], $c["verdict"] }'; }
covers() { # $1 parameter, $2 truth, $3 largest relative half-width
  read -r v a b verdict <<<"$(row "$1")"
  awk -v v="$v" -v a="$a" -v b="$b" -v t="$2" -v w="$3" \
    'BEGIN { exit !(a <= t && t <= b && (b - a) / 2 < w * t) }'
  check "$1 = $v [$a, $b] covers $2, narrowly" $?
  [ "$verdict" = "pinned" ]
  check "$1 is pinned (got $verdict)" $?
}
covers R_in 13000 0.02
covers scr.I_GT 16e-6 0.02
red=$(sed -n 's/.*(chi2\/(n-k) \([0-9.e+-]*\)).*/\1/p' "$work/out/fit.txt" | head -1)
awk -v r="$red" 'BEGIN { exit !(r < 3) }'
check "a good fit: chi2/(n-k) = $red" $?
# fit.txt: each feature's measured value, its model value at the optimum and the difference in
# SDs, which must be what the two values say (and small)
for k in tau_leak_on_s ref_latency_s ref_rate_first_isi_Hz; do
  line=$(grep "^  $k " "$work/out/fit.txt")
  echo "$line" | awk '{ m = $2; s = $4; f = $6; d = $7; gsub(/[(+]/, "", d)
    exit !($5 == "fitted" && (((f - m) / s - d) ^ 2) < 1e-4 && d * d < 9) }'
  check "fit.txt: $k measured and fitted, the difference in SDs ($line)" $?
done
# and they are the features of fitted.ini's circuit: characterized as the fit did (its
# [characterize], the fit's rtol 1e-8), each agrees with fit.txt to 0.01 SD
grep -q '^\[solver\]$' "$work/out/fitted.ini" && [ "$(tail -1 "$work/out/fitted.ini")" = "[solver]" ]
check "fitted.ini ends with its [solver] section" $?
{ echo "rtol = 1e-8"; echo "${common#*\[stimulus\]*duration = 6m}"; } >>"$work/out/fitted.ini"
"$uclif" characterize "$work/out/fitted.ini" -o "$work/refit" --quiet
check "characterize fitted.ini (exit 0)" $?
for k in tau_leak_on_s ref_latency_s ref_rate_first_isi_Hz; do
  got=$(tr -d '"\r' <"$work/refit/points.csv" | awk -F, -v k="$k" '
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { print $c[k] }')
  grep "^  $k " "$work/out/fit.txt" | awk -v g="$got" '{ exit !(((g - $6) / $4) ^ 2 < 1e-4) }'
  check "$k of fitted.ini's circuit ($got) is fit.txt's fitted value" $?
done
grep -q "Recordings: none" "$work/out/fit.txt"
check "fit.txt: no recording" $?
grep -q "fitted to measured features only" "$work/out/fit.html"
check "fit.html says there is no waveform to show" $?

# the first ISI's rate doubled: no circuit of these two parameters has all three, so the fit
# must say so
write_fit "$tau" "$lat" "$(awk -v r="$isi" 'BEGIN { printf "%.9g", 2 * r }')"
"$uclif" fit "$work/fit.ini" -o "$work/wrong" --quiet 2>/dev/null
grep -q "POOR FIT" "$work/wrong/fit.txt"
check "inconsistent features (the first ISI's rate doubled): POOR FIT" $?
finish
