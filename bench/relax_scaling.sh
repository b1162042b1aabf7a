#!/usr/bin/env bash
# Waveform relaxation benchmark of docs/benchmarks.md ("Recurrent networks"): for each N, in the
# same run on the same machine,
#   ff:  the layered feed-forward network of bench/network_scaling.sh (four layers, random fan-in
#        8 from the previous layer), partitioned integration;
#   rec: a sparse recurrent network of the same size and fan-in ([recurrent] random: 8 distinct
#        random sources among all N), waveform relaxation;
# both with 33 kOhm synapses and series diodes, a quarter of the neurons driven by 7 V, 10 us
# pulses every 100 us (start jittered over one period), simulated for DURATION.
# Prints CPU (user) and wall seconds, CVODE steps and right-hand sides, spikes, the window
# integrations done again, peak memory, and the CPU cost per neuron per simulated second with
# the recurrent/feed-forward ratio. With RANKS=K (> 1) it also runs the recurrent network of the
# largest N on K ranks (mpirun), checks events.csv and neurons.csv are the same bytes, and prints
# the bytes of records the busiest rank sent, the wall times and the parallel efficiency.
# WINDOW=5u sets the recurrent network's relax.window (default: the spec's default).
#   bench/relax_scaling.sh [BUILD_DIR] [DURATION] [N...]   defaults: build 2m 100 1000 10000
#   RANKS=2 bench/relax_scaling.sh build/release 2m 100 1000 10000
set -euo pipefail
cd "$(dirname "$0")/.."
b=${1:-build}
dur=${2:-2m}
shift 2 || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100 1000 10000)
ranks=${RANKS:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
secs=$(awk -v d="$dur" 'BEGIN{m=1; if (d ~ /m$/) {m=1e-3; sub(/m$/,"",d)}; if (d ~ /u$/) {m=1e-6; sub(/u$/,"",d)}; print d*m}')
spec() { # KIND N FILE
  local q=$(($2 / 4)) r=$(($2 - 3 * ($2 / 4)))
  printf '[stimulus]\nkind = pulses\namplitude = 7\nwidth = 10u\nperiod = 100u\nduration = %s\n' \
    "$dur" >"$3"
  if [ "$1" = ff ]; then
    printf '[network]\nintegration = partitioned\n[layers]\nsizes = %s, %s, %s, %s\n' \
      "$r" "$q" "$q" "$q" >>"$3"
    printf 'connectivity = random\nfan_in = 8\n' >>"$3"
  else
    printf '[network]\nintegration = relaxation\n' >>"$3"
    [ -z "${WINDOW:-}" ] || printf 'relax.window = %s\n' "$WINDOW" >>"$3"
    printf '[recurrent]\ntopology = random\n' >>"$3"
    printf 'neurons = %s\nfan_in = 8\ndriven = 0.25\n' "$2" >>"$3"
  fi
  printf 'R = 33k\ndiode = yes\nseed = 1\ninput_jitter = 100u\n' >>"$3"
}
run() { # LAUNCH... FILE OUT: fills user wall rss steps rhs spikes redone
  local f=${*: -2:1} o=${*: -1}
  /usr/bin/time -f "%U %e %M" -o "$work/time" "${@:1:$#-2}" simulate "$f" --out "$o" \
    >"$work/summary"
  read -r user wall rss <"$work/time"
  steps=$(sed -n 's/^solver: \([0-9]*\) steps.*/\1/p' "$work/summary")
  rhs=$(sed -n 's/^solver: [0-9]* steps, \([0-9]*\) rhs.*/\1/p' "$work/summary")
  spikes=$(sed -n 's/^spikes: \([0-9]*\) in all.*/\1/p' "$work/summary")
  redone=$(sed -n 's/.*sweeps over loops, \([0-9]*\) window integrations.*/\1/p' "$work/summary")
}
printf "%-6s %-4s %8s %8s %10s %10s %7s %8s %8s %14s %6s\n" N net cpu_s wall_s steps rhs spikes \
  redone peak_MB cpu_ms_per_n_s ratio
for n in "${sizes[@]}"; do
  for kind in ff rec; do
    spec "$kind" "$n" "$work/$kind.ini"
    run "$b/uclif" "$work/$kind.ini" "$work/$kind"
    per=$(awk -v u="$user" -v n="$n" -v s="$secs" 'BEGIN{printf "%.0f", u / n / s * 1e3}')
    [ "$kind" = ff ] && ff_per=$per
    ratio=$(awk -v a="$per" -v f="$ff_per" 'BEGIN{printf "%.2f", a / f}')
    printf "%-6s %-4s %8s %8s %10s %10s %7s %8s %8.1f %14s %6s\n" "$n" "$kind" "$user" "$wall" \
      "$steps" "$rhs" "$spikes" "${redone:--}" "$(awk -v k="$rss" 'BEGIN{print k/1024}')" "$per" \
      "$ratio"
  done
done
if [ "$ranks" -gt 1 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  n=${sizes[-1]}
  spec rec "$n" "$work/rec.ini"
  run mpirun -np 1 "$b/uclif" "$work/rec.ini" "$work/r1"
  w1=$wall
  run mpirun --oversubscribe -np "$ranks" "$b/uclif" "$work/rec.ini" "$work/rk"
  sed -n 's/^records exchanged: /records exchanged on '"$ranks"' ranks: /p' "$work/summary"
  same=yes
  for f in events.csv neurons.csv; do cmp -s "$work/r1/$f" "$work/rk/$f" || same=NO; done
  eff=$(awk -v a="$w1" -v b="$wall" -v k="$ranks" 'BEGIN{printf "%.2f", a / b / k}')
  echo "recurrent N=$n: 1 rank $w1 s wall, $ranks ranks $wall s wall (speed-up $(awk -v a="$w1" -v b="$wall" 'BEGIN{printf "%.2f", a / b}'), efficiency $eff); events.csv and neurons.csv identical: $same"
fi
