#!/usr/bin/env bash
# Cross-check against ngspice (issue: SPICE agreement). For the default type I neuron with
# 10 us / 100 us pulses (edges of 1 ns in both simulators):
#  - sub-threshold (3 V, 5 ms): uclif's V_mem(t) and ngspice's agree within 1 % of the swing;
#  - firing (5.5, 6, 7 V, 20 ms): first-latch times within 1 %, equal spike counts;
#  - the same for the Mott soma (neuron = mott) at 4, 6, 8 V;
#  - the same for the two-transistor SCR (scr.model = two_transistor, ngspice's own bipolar
#    transistor models): sub-threshold V_mem at 3 V, and at 5.5, 6, 7 V first latches (the anode
#    current rising through scr.I_A_latch) and spike counts (crossings of the anode current with
#    the hysteresis scr.I_A_latch / scr.I_A_unlatch, as uclif's events).
# ngspice runs the netlist `uclif netlist` writes. Usage: crosscheck.sh UCLIF
set -u
uclif=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v ngspice >/dev/null || { echo "FAIL: ngspice is not installed (apt-get install ngspice)"; echo "0 passed, 1 failed"; exit 1; }
. "$(dirname "$0")/../check.sh"
base=(--set rise=1n --set fall=1n --set rtol=1e-6)
common=("${base[@]}")
# the two-transistor form with its event levels written out, so that the ngspice data can be
# read with the same levels
i_latch=4e-4
i_unlatch=5e-5
tt=(--set scr.model=two_transistor --set scr.I_A_latch=$i_latch --set scr.I_A_unlatch=$i_unlatch)

# ngspice data: time v(in) time v(m) time v(k) time v(out) time v(s) (two-transistor form:
# i(Vsa), the anode current, in place of v(s))
# ngspice -b exits with 1 when a netlist has no .print lines even though its .control block ran
# the simulation, so a run is judged by what it wrote: data and no error.
spice() { # amplitude duration name
  "$uclif" netlist "${common[@]}" --set amplitude="$1" --set duration="$2" \
    --data "$work/$3.data" -o "$work/$3.cir" || return 1
  ngspice -b "$work/$3.cir" >"$work/$3.log" 2>&1
  [ -s "$work/$3.data" ] && ! grep -iE "^error|fatal|timestep too small" "$work/$3.log" | grep -qv "measure"
}

# 1. sub-threshold membrane, hybrid and two-transistor SCR
for form in hybrid tt; do
  if [ $form = tt ]; then common=("${base[@]}" "${tt[@]}"); else common=("${base[@]}"); fi
  spice 3 5m "sub$form"
  check "ngspice ran the $form sub-threshold netlist" $?
  "$uclif" simulate "${common[@]}" --set amplitude=3 --set duration=5m --sample 10u \
    --out "$work/usub$form" --quiet
  check "uclif $form sub-threshold run" $?
  dev=$(gawk -v S="$work/sub$form.data" '
    BEGIN { while ((getline l < S) > 0) { split(l, a, " "); n++; st[n] = a[1] + 0; sv[n] = a[4] + 0 } }
    FNR == 1 { next }
    { t = $1 + 0; v = $3 + 0; while (j < n - 1 && st[j + 1] <= t) j++;
      if (j < 1) j = 1;
      w = (st[j + 1] > st[j]) ? (t - st[j]) / (st[j + 1] - st[j]) : 0;
      s = sv[j] + w * (sv[j + 1] - sv[j]); d = s - v; if (d < 0) d = -d; if (d > m) m = d;
      if (NR == 2 || v > hi) hi = v; if (NR == 2 || v < lo) lo = v }
    END { printf "%.6f %.6f", m / (hi - lo), hi - lo }' FS=, "$work/usub$form/waveform.csv")
  echo "$form sub-threshold: largest |V_mem difference| / swing = ${dev% *} (swing ${dev#* } V)"
  check "$form sub-threshold V_mem within 1 % of its swing (${dev% *})" \
    $(gawk -v d="${dev% *}" 'BEGIN { exit !(d < 0.01) }'; echo $?)
done

# 2. firing cases: the SCR soma at three amplitudes, the Mott soma at three, the two-transistor
# SCR at three. ngspice's latches: the hybrid's state s rising through 1/2; the two-transistor
# form's anode current rising through i_latch after it has fallen through i_unlatch.
for case in "5.5" "6" "7" "4 mott" "6 mott" "8 mott" "5.5 tt" "6 tt" "7 tt"; do
  set -- $case
  a=$1
  form=${2:-hybrid}
  case $form in
  mott) common=("${base[@]}" --set neuron=mott) ;;
  tt) common=("${base[@]}" "${tt[@]}") ;;
  *) common=("${base[@]}") ;;
  esac
  spice "$a" 20m "f$a$form"
  check "ngspice ran the $case V netlist" $?
  "$uclif" simulate "${common[@]}" --set amplitude="$a" --set duration=20m --sample 0 \
    --out "$work/u$a$form" --quiet
  if [ "$form" = tt ]; then lo=$i_unlatch hi=$i_latch; else lo=0.5 hi=0.5; fi
  read -r n_s t_s < <(gawk -v L="$hi" -v U="$lo" '{ s = $10 + 0; t = $1 + 0;
      if (NR > 1) {
        if (!on && ps < L && s >= L) { on = 1; n++; if (n == 1) f = pt + (L - ps) * (t - pt) / (s - ps) }
        else if (on && ps >= U && s < U) on = 0 }
      ps = s; pt = t } END { printf "%d %.9g\n", n, f }' "$work/f$a$form.data")
  read -r n_u t_u < <(gawk -F, '$2 == "\"latch\"" || $2 == "latch" { n++; if (n == 1) f = $1 }
      END { printf "%d %.9g\n", n, f }' "$work/u$a$form/events.csv")
  rel=$(gawk -v a="$t_s" -v b="$t_u" 'BEGIN { d = (a - b) / b; if (d < 0) d = -d; printf "%.2e", d }')
  echo "$case V: spikes ngspice $n_s uclif $n_u; first latch ngspice $t_s s uclif $t_u s (rel. $rel)"
  check "$case V: equal spike counts ($n_s, $n_u)" $([ "$n_s" = "$n_u" ] && [ "$n_u" -gt 0 ]; echo $?)
  check "$case V: first latch within 1 % ($rel)" $(gawk -v r="$rel" 'BEGIN { exit !(r < 0.01) }'; echo $?)
done
finish
