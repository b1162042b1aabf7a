#!/usr/bin/env bash
# Cross-check against ngspice (issue: SPICE agreement). For the default type I neuron with
# 10 us / 100 us pulses (edges of 1 ns in both simulators):
#  - sub-threshold (3 V, 5 ms): uclif's V_mem(t) and ngspice's agree within 1 % of the swing;
#  - firing (5.5, 6, 7 V, 20 ms): first-latch times within 1 %, equal spike counts;
#  - the same for the Mott soma (neuron = mott) at 4, 6, 8 V.
# ngspice runs the netlist `uclif netlist` writes. Usage: crosscheck.sh UCLIF
set -u
uclif=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v ngspice >/dev/null || { echo "FAIL: ngspice is not installed (apt-get install ngspice)"; echo "0 passed, 1 failed"; exit 1; }
. "$(dirname "$0")/../check.sh"
common=(--set rise=1n --set fall=1n --set rtol=1e-6)

# ngspice data: time v(in) time v(m) time v(k) time v(out) time v(s)
# ngspice -b exits with 1 when a netlist has no .print lines even though its .control block ran
# the simulation, so a run is judged by what it wrote: data and no error.
spice() { # amplitude duration name
  "$uclif" netlist "${common[@]}" --set amplitude="$1" --set duration="$2" \
    --data "$work/$3.data" -o "$work/$3.cir" || return 1
  ngspice -b "$work/$3.cir" >"$work/$3.log" 2>&1
  [ -s "$work/$3.data" ] && ! grep -iE "^error|fatal|timestep too small" "$work/$3.log" | grep -qv "measure"
}

# 1. sub-threshold membrane
spice 3 5m sub
check "ngspice ran the sub-threshold netlist" $?
"$uclif" simulate "${common[@]}" --set amplitude=3 --set duration=5m --sample 10u \
  --out "$work/usub" --quiet
check "uclif sub-threshold run" $?
dev=$(gawk -v S="$work/sub.data" '
  BEGIN { while ((getline l < S) > 0) { split(l, a, " "); n++; st[n] = a[1] + 0; sv[n] = a[4] + 0 } }
  FNR == 1 { next }
  { t = $1 + 0; v = $3 + 0; while (j < n - 1 && st[j + 1] <= t) j++;
    if (j < 1) j = 1;
    w = (st[j + 1] > st[j]) ? (t - st[j]) / (st[j + 1] - st[j]) : 0;
    s = sv[j] + w * (sv[j + 1] - sv[j]); d = s - v; if (d < 0) d = -d; if (d > m) m = d;
    if (NR == 2 || v > hi) hi = v; if (NR == 2 || v < lo) lo = v }
  END { printf "%.6f %.6f", m / (hi - lo), hi - lo }' FS=, "$work/usub/waveform.csv")
echo "sub-threshold: largest |V_mem difference| / swing = ${dev% *} (swing ${dev#* } V)"
check "sub-threshold V_mem within 1 % of its swing (${dev% *})" \
  $(gawk -v d="${dev% *}" 'BEGIN { exit !(d < 0.01) }'; echo $?)

# 2. firing cases: the SCR soma at three amplitudes, then the Mott soma at three
for case in "5.5" "6" "7" "4 mott" "6 mott" "8 mott"; do
  set -- $case
  a=$1
  if [ $# -gt 1 ]; then common=(--set rise=1n --set fall=1n --set rtol=1e-6 --set neuron=mott); else common=(--set rise=1n --set fall=1n --set rtol=1e-6); fi
  spice "$a" 20m "f$a$#"
  check "ngspice ran the $case V netlist" $?
  "$uclif" simulate "${common[@]}" --set amplitude="$a" --set duration=20m --sample 0 \
    --out "$work/u$a$#" --quiet
  read -r n_s t_s < <(gawk '{ s = $10 + 0; t = $1 + 0;
      if (NR > 1 && ps < 0.5 && s >= 0.5) { n++; if (n == 1) f = pt + (0.5 - ps) * (t - pt) / (s - ps) }
      ps = s; pt = t } END { printf "%d %.9g\n", n, f }' "$work/f$a$#.data")
  read -r n_u t_u < <(gawk -F, '$2 == "\"latch\"" || $2 == "latch" { n++; if (n == 1) f = $1 }
      END { printf "%d %.9g\n", n, f }' "$work/u$a$#/events.csv")
  rel=$(gawk -v a="$t_s" -v b="$t_u" 'BEGIN { d = (a - b) / b; if (d < 0) d = -d; printf "%.2e", d }')
  echo "$case V: spikes ngspice $n_s uclif $n_u; first latch ngspice $t_s s uclif $t_u s (rel. $rel)"
  check "$case V: equal spike counts ($n_s, $n_u)" $([ "$n_s" = "$n_u" ] && [ "$n_u" -gt 0 ]; echo $?)
  check "$case V: first latch within 1 % ($rel)" $(gawk -v r="$rel" 'BEGIN { exit !(r < 0.01) }'; echo $?)
done
finish
