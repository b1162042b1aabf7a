#!/usr/bin/env bash
# form_sensitivity.sh — the model-form sensitivity table of docs/model.md: what each SCR form
# predicts with its own calibrated defaults and with the other form's parameters.
#   hybrid defaults                      (I_GT, I_H, I_L given)
#   two_transistor, extracted from them  (uclif extract --I_GT --I_H: the hybrid's values)
#   two_transistor defaults              (calibrated to the 5.0 V onset)
#   hybrid with the two-transistor's     (I_GT, I_H, I_L measured by the curve tracer)
# Each configuration is characterized with the curve tracer on; the table lists the onset
# (10 us / 100 us pulses), the DC rheobase, tau_leak in both junction regimes, tau_ref, the reset
# voltage, the energy per spike and the rate at the reference amplitude.
#
#   bench/form_sensitivity.sh [UCLIF]          (default build/dev/uclif; run from the repo root)
set -euo pipefail
uclif=${1:-build/dev/uclif}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
char=$'[characterize]\ncurve_tracer = on\n'

col() { # col CSV NAME: the value of column NAME in the CSV's first row
  awk -F, -v want="\"$2\"" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == want) k = i; next }
                             NR == 2 { print $k }' "$1"
}
run() { # run NAME SPEC: characterize SPEC into $work/NAME
  "$uclif" characterize "$2" -o "$work/$1" --quiet || true
}

printf '%s' "$char" >"$work/hybrid.ini"
run hybrid "$work/hybrid.ini"
i_gt=$(col "$work/hybrid/points.csv" I_GT_A)
i_h=$(col "$work/hybrid/points.csv" I_H_A)
"$uclif" extract --I_GT "$i_gt" --I_H "$i_h" --quiet >"$work/tt-x.ini"
printf '\n%s' "$char" >>"$work/tt-x.ini"
run tt-x "$work/tt-x.ini"
printf '[circuit]\nscr.model = two_transistor\n%s' "$char" >"$work/tt.ini"
run tt "$work/tt.ini"
printf '[circuit]\nscr.I_GT = %s\nscr.I_H = %s\nscr.I_L = %s\n%s' \
  "$(col "$work/tt/points.csv" I_GT_A)" "$(col "$work/tt/points.csv" I_H_A)" \
  "$(col "$work/tt/points.csv" I_L_A)" "$char" >"$work/hybrid-x.ini"
run hybrid-x "$work/hybrid-x.ini"

cols="threshold_V rheobase_V V_mem_threshold_V tau_leak_off_s tau_leak_on_s tau_ref_s V_reset_V
energy_per_spike_J ref_rate_mean_Hz I_GT_A I_H_A I_L_A"
printf '| configuration |'
for c in $cols; do printf ' %s |' "$c"; done
printf '\n|---|'
for c in $cols; do printf -- '---|'; done
printf '\n'
for r in "hybrid:hybrid defaults" "tt-x:two_transistor from the hybrid's I_GT, I_H" \
  "tt:two_transistor defaults" "hybrid-x:hybrid with the two_transistor's I_GT, I_H, I_L"; do
  printf '| %s |' "${r#*:}"
  for c in $cols; do
    v=$(col "$work/${r%%:*}/points.csv" "$c")
    if [ -n "$v" ] && [ "$v" != nan ]; then printf ' %.4g |' "$v"; else printf ' – |'; fi
  done
  printf '\n'
done
