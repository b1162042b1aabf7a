#!/usr/bin/env bash
# Property test of `uclif netlist` (issue 17): N random valid configurations (a fixed seed; every
# stimulus kind: dc, step, pulses, staircase, bursts; type I and type II with both loops, the Mott
# soma, both SCR forms; ideal and linear edges, width = period, step width 0 = forever, a start
# time, a pulse count) are exported, run by `ngspice -b` without an error or warning, and their
# first latch times agree with uclif's within the cross-check's 1 % (crosscheck.sh);
# configurations that do not fire in one must not fire in the other. uclif simulates with the
# edges the netlist writes (0 s edges as 1 ns: --set rise=1n --set fall=1n, where they fit) and
# rtol 1e-6. A latch within the last 1 % of the duration in one simulator and none in the other
# counts as agreement (the other's may lie just past the end). Each configuration is run twice
# by ngspice: as `uclif netlist` writes it by default (with --data; it must run and write its
# data) and at tmax = 0.1 us for the latch times (at the default of 1 us, a latch time carries
# up to 1 us of discretisation, and near a threshold a coarse step can latch a pulse early).
# Usage: property.sh UCLIF [N [SEED]]; N = 60, SEED = 17 by default.
set -u
uclif=$1
n_cases=${2:-60}
seed=${3:-17}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v ngspice >/dev/null || { echo "FAIL: ngspice is not installed (apt-get install ngspice)"; echo "0 passed, 1 failed"; exit 1; }
. "$(dirname "$0")/../check.sh"

# a 64-bit linear congruential generator (Knuth's MMIX constants) in bash arithmetic, so that the
# configurations are the same on every machine; rnd N: an integer in [0, N)
state=$seed
rnd() {
  state=$(((state * 6364136223846793005 + 1442695040888963407) & 0x7fffffffffffffff))
  r=$(((state >> 20) % $1))
}
pick() { # pick WORD...: one of the words, in $w
  rnd $#
  shift $r
  w=$1
}

t0=$(date +%s)
fired=0
quiet=0
declare -A seen
for ((i = 1; i <= n_cases; i++)); do
  args=(--set rtol=1e-6)
  # the neuron: type I / type II (both loops) / Mott; the SCR form (not for the Mott soma)
  pick type1 type1 type2 mott
  neuron=$w
  args+=(--set neuron="$neuron")
  form=-
  if [ "$neuron" != mott ]; then
    pick hybrid two_transistor
    form=$w
    args+=(--set scr.model="$form")
  fi
  if [ "$neuron" = type2 ]; then
    pick peak series
    args+=(--set loop="$w")
    seen[loop_$w]=1
  fi
  # the stimulus; amplitudes from 2 to 8.5 V, durations from 0.5 to 3 ms
  pick dc step pulses pulses staircase bursts
  kind=$w
  rnd 14
  amp=$(((r * 5 + 20))) # tenths of a volt
  amp=${amp%?}.${amp: -1}
  rnd 6
  dur=$((500 + r * 500))u
  args+=(--set duration="$dur")
  edges=() # what uclif adds to simulate the netlist's edges
  case $kind in
  dc) args+=(--set kind=dc --set amplitude="$amp") ;;
  step)
    pick 0 0 300u 1m # step length (0 = forever)
    width=$w
    pick 0 0 100u
    args+=(--set kind=step --set amplitude="$amp" --set width="$width" --set start="$w")
    [ "$width" = 0 ] && seen[step_forever]=1
    ;;
  pulses | bursts | staircase)
    pick 50u 100u 100u 200u
    period=$w
    p=${period%u}
    pick 0 0 1u 5u # rise and fall: 0 s (ideal) or linear
    rise=$w
    pick 0 0 2u
    fall=$w
    rise_us=${rise%u}
    fall_us=${fall%u}
    pick 10 20 30 50 100 # width: a share of the period (100 % = width = period)
    share=$w
    if [ "$share" = 100 ]; then
      rise=0 fall=0 rise_us=0 fall_us=0 width=${p}u
      seen[width_period]=1
    else
      width=$((p * share / 100))u
    fi
    pick 0 0 50u
    args+=(--set period="$period" --set width="$width" --set rise="$rise" --set fall="$fall"
      --set start="$w")
    # uclif with the netlist's 1 ns edges, where they fit in the period
    if [ "$share" != 100 ]; then
      [ "$rise_us" = 0 ] && edges+=(--set rise=1n)
      [ "$fall_us" = 0 ] && edges+=(--set fall=1n)
    fi
    [ "$rise_us$fall_us" = 00 ] && seen[ideal_edges]=1
    [ "$rise_us" != 0 ] && seen[linear_edges]=1
    case $kind in
    pulses)
      pick 0 0 5 12 # pulse count (0 = unlimited)
      args+=(--set kind=pulses --set amplitude="$amp" --set count="$w")
      ;;
    bursts)
      pick 2 3 5 # pulses per burst, then a gap of 1 to 3 periods
      on=$((w * p))
      rnd 3
      args+=(--set kind=pulses --set amplitude="$amp" --set burst_on="${on}u"
        --set burst_period="$((on + (r + 1) * p))u")
      ;;
    staircase)
      pick 2 3 4
      lp=$w
      rnd 3
      args+=(--set kind=staircase --set amp_start=$((2 + r)) --set amp_stop=8 --set amp_step=1.5
        --set level_pulses="$lp")
      ;;
    esac
    ;;
  esac
  seen[$kind]=1
  seen[$neuron]=1
  seen[$form]=1
  name="c$i"
  "$uclif" netlist "${args[@]}" --data "$work/$name.data" -o "$work/$name.cir" 2>"$work/$name.err"
  rc=$?
  check "case $i ($kind, $neuron, $form): uclif netlist exits 0 ($rc: $(head -c 200 "$work/$name.err"))" $rc
  ngspice -b "$work/$name.cir" >"$work/$name.log" 2>&1
  # ngspice -b exits with 1 without .print lines: a run is judged by its data and its log (a
  # failed measure only says that nothing latched)
  bad=$(grep -iE "error|fatal|warning|too small|invalid|interrupted" "$work/$name.log" |
    grep -viE "measure|t_first_latch" | head -n 2)
  check "case $i ($kind, $neuron, $form): ngspice ran it (data written, no error: ${bad:-none}) [${args[*]}]" \
    $([ -s "$work/$name.data" ] && [ -z "$bad" ]; echo $?)
  # the latch times from a second netlist at tmax = 0.1 us: ngspice sees the latch condition at
  # its time points only, at most tmax apart (1 us by default), and near a threshold its coarser
  # steps can latch a pulse early (docs/model.md, SPICE netlist)
  "$uclif" netlist "${args[@]}" --tmax 0.1u -o "$work/$name-fine.cir" &&
    ngspice -b "$work/$name-fine.cir" >"$work/$name-fine.log" 2>&1
  t_s=$(gawk '$1 == "t_first_latch" && $2 == "=" { print $3 + 0; exit }' "$work/$name-fine.log")
  "$uclif" simulate "${args[@]}" "${edges[@]}" --sample 0 --out "$work/u$name" --quiet \
    2>"$work/$name.uerr"
  rc=$?; check "case $i: uclif simulate exits 0 ($(head -c 200 "$work/$name.uerr"))" "$rc"
  t_u=$(gawk -F, 'NR > 1 && ($2 == "\"latch\"" || $2 == "latch") { print $1 + 0; exit }' \
    "$work/u$name/events.csv" 2>/dev/null)
  d=${dur%u}e-6
  verdict=$(gawk -v a="$t_s" -v b="$t_u" -v d="$d" 'BEGIN {
      if (a == "" && b == "") { print "0 neither fires"; exit }
      if (a == "" || b == "") { t = (a == "") ? b : a;
        if (t > 0.99 * d) print "0 one latch in the last 1 % only"; else print "1 fires in one only"; exit }
      r = (a - b) / b; if (r < 0) r = -r; printf "%d rel. %.2e\n", !(r < 0.01), r }')
  echo "case $i: $kind $neuron $form amplitude $amp duration $dur: first latch ngspice ${t_s:-none} uclif ${t_u:-none} (${verdict#* })"
  check "case $i: first latches agree within 1 % (${verdict#* }) [${args[*]} ${edges[*]}]" "${verdict%% *}"
  if [ -n "$t_s$t_u" ]; then fired=$((fired + 1)); else quiet=$((quiet + 1)); fi
done
# the sample covers what it must
for must in dc step pulses staircase bursts type1 type2 mott hybrid two_transistor step_forever \
  width_period ideal_edges linear_edges loop_peak loop_series; do
  check "the $n_cases configurations include $must" $([ -n "${seen[$must]:-}" ]; echo $?)
done
check "some configurations fire ($fired) and some do not ($quiet)" $([ $fired -gt 0 ] && [ $quiet -gt 0 ]; echo $?)
echo "$n_cases configurations (seed $seed): $fired fire, $quiet do not; $(($(date +%s) - t0)) s"
finish
