#!/usr/bin/env bash
# Network benchmark of docs/benchmarks.md: layered feed-forward networks of N neurons (four
# layers, random fan-in 8 from the previous layer through 33 kOhm synapses with series diodes;
# the first layer driven by 7 V, 10 us pulses every 100 us with start times jittered over one
# period), simulated for DURATION with `uclif simulate`. Prints wall time, CVODE steps, events,
# peak memory and the cost per neuron per simulated second, one line per N.
#   bench/network_scaling.sh [BUILD_DIR] [DURATION] [N...]      defaults: build 100m 10 100 1000 10000
#   INTEGRATION=coupled bench/network_scaling.sh build 20m 10 40   (the one-CVODE alternative)
#   TOPOLOGY=random bench/network_scaling.sh build 20m 10 20 40
#     the recurrent counterpart ([recurrent], docs/spec.md): N neurons, each with 8 distinct
#     random sources among all N (fewer when N <= 8), the same synapses, a quarter of the neurons
#     driven by the same jittered pulses; integration as `auto` chooses (relaxation). Such a
#     network partly latches up (docs/model.md N5): a fair cost comparison needs that in view.
set -euo pipefail
cd "$(dirname "$0")/.."
b=${1:-build}
dur=${2:-100m}
shift 2 || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 100 1000 10000)
how=${INTEGRATION:-partitioned}
topology=${TOPOLOGY:-layers}
case "$topology" in layers | random) ;; *) echo "TOPOLOGY must be layers or random" >&2; exit 2 ;; esac
[ "$topology" = random ] && how=${INTEGRATION:-auto}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf "%-7s %-12s %9s %12s %9s %9s %10s %20s\n" N integration wall_s steps events peak_MB points_MB wall_ms_per_neuron_s
for n in "${sizes[@]}"; do
  q=$((n / 4)); r=$((n - 3 * q))
  l1=$r; [ "$q" -lt 1 ] && { echo "N must be >= 4" >&2; exit 2; }
  fan=8; [ "$q" -lt 8 ] && fan=$q; [ "$l1" -lt "$fan" ] && fan=$l1
  if [ "$topology" = random ]; then
    fan=8; [ "$n" -le 8 ] && fan=$((n - 1))
    [ "$fan" -ge 1 ] || { echo "N must be >= 2" >&2; exit 2; }
    cat > "$work/net.ini" <<INI
[stimulus]
kind = pulses
amplitude = 7
width = 10u
period = 100u
duration = $dur
[network]
integration = $how
[recurrent]
topology = random
neurons = $n
fan_in = $fan
R = 33k
diode = yes
driven = 0.25
seed = 1
input_jitter = 100u
INI
  else
  cat > "$work/net.ini" <<INI
[stimulus]
kind = pulses
amplitude = 7
width = 10u
period = 100u
duration = $dur
[network]
integration = $how
[layers]
sizes = $l1, $q, $q, $q
connectivity = random
fan_in = $fan
R = 33k
diode = yes
seed = 1
input_jitter = 100u
INI
  fi
  /usr/bin/time -f "%e %M" -o "$work/time" "$b/uclif" simulate "$work/net.ini" --out "$work/out" \
    > "$work/summary"
  read -r wall rss < "$work/time"
  steps=$(sed -n 's/^solver: \([0-9]*\) steps.*/\1/p' "$work/summary")
  events=$(sed -n 's/.*restarts, \([0-9]*\) events.*/\1/p' "$work/summary")
  pts=$(sed -n 's/.*(\([0-9.e+-]*\) MB).*/\1/p' "$work/summary")
  secs=$(awk -v d="$dur" 'BEGIN{m=1; if (d ~ /m$/) {m=1e-3; sub(/m$/,"",d)}; print d*m}')
  per=$(awk -v w="$wall" -v n="$n" -v s="$secs" 'BEGIN{printf "%.1f", w / n / s * 1e3}')
  printf "%-7s %-12s %9s %12s %9s %9.1f %10s %20s\n" "$n" "$how" "$wall" "$steps" "$events" \
    "$(awk -v k="$rss" 'BEGIN{print k/1024}')" "${pts:--}" "$per"
done
