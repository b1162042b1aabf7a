#!/usr/bin/env bash
# Recurrent-network benchmark of docs/benchmarks.md ("Recurrent networks: the coupled system,
# dense and sparse"): the sparse recurrent network of bench/recurrent_net.sh (N type I neurons,
# fan-in 8 drawn from all N, 220 kOhm diode synapses, every neuron driven by jittered 7 V, 10 us
# pulses every 100 us) integrated as one coupled system with the dense or the sparse (coloured
# finite differences, KLU) Jacobian, simulated for DURATION with `uclif simulate`. Prints wall
# time, CVODE steps, right-hand sides (each evaluates all N neurons), restarts, events, peak
# memory, and two costs per neuron per simulated second: wall ms, and neuron right-hand sides
# (rhs_evals * N / (N * T) = rhs_evals / T; the quadratures and root functions add about one
# more neuron evaluation per step each).
# JACOBIAN=feedforward runs the baseline instead: bench/network_scaling.sh's layered feed-forward
# network of the same N and fan-in, partitioned (its neuron right-hand sides: rhs_evals / (N * T)).
#   JACOBIAN=dense|sparse|feedforward REINIT=all|switches bench/recurrent_scaling.sh [BUILD_DIR] [DURATION] [N...]
#   defaults: sparse, all, build 2m 10 20 40 100
set -euo pipefail
cd "$(dirname "$0")/.."
b=${1:-build}
dur=${2:-2m}
shift 2 || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 20 40 100)
jac=${JACOBIAN:-sparse}
reinit=${REINIT:-all}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf "%-6s %-7s %-8s %9s %9s %10s %9s %7s %8s %14s %16s\n" N jacobian reinit wall_s steps \
  rhs_evals restarts events peak_MB wall_ms_per_ns neuron_rhs_per_ns
for n in "${sizes[@]}"; do
  if [ "$jac" = feedforward ]; then
    q=$((n / 4)); l1=$((n - 3 * q)); fan=8
    [ "$q" -lt 8 ] && fan=$q; [ "$l1" -lt "$fan" ] && fan=$l1
    printf '%s\n' "[stimulus]" "kind = pulses" "amplitude = 7" "width = 10u" "period = 100u" \
      "duration = $dur" "[network]" "integration = partitioned" "[layers]" \
      "sizes = $l1, $q, $q, $q" "connectivity = random" "fan_in = $fan" "R = 33k" "diode = yes" \
      "seed = 1" "input_jitter = 100u" > "$work/net.ini"
  else
    bench/recurrent_net.sh "$n" "$dur" 8 1 "$jac" > "$work/net.ini"
  fi
  [ "$reinit" = all ] || sed -i "s/^jacobian = .*/&\nreinit = $reinit/" "$work/net.ini"
  /usr/bin/time -f "%e %M" -o "$work/time" "$b/uclif" simulate "$work/net.ini" --out "$work/out" \
    > "$work/summary"
  read -r wall rss < "$work/time"
  line=$(grep '^solver:' "$work/summary")
  steps=$(echo "$line" | sed -n 's/^solver: \([0-9]*\) steps.*/\1/p')
  rhs=$(echo "$line" | sed -n 's/.* \([0-9]*\) rhs evaluations.*/\1/p')
  restarts=$(echo "$line" | sed -n 's/.* \([0-9]*\) restarts.*/\1/p')
  events=$(echo "$line" | sed -n 's/.*restarts, \([0-9]*\) events.*/\1/p')
  secs=$(awk -v d="$dur" 'BEGIN{m=1; if (d ~ /m$/) {m=1e-3; sub(/m$/,"",d)}; print d*m}')
  per=$(awk -v w="$wall" -v n="$n" -v s="$secs" 'BEGIN{printf "%.0f", w / n / s * 1e3}')
  nrhs=$(awk -v r="$rhs" -v s="$secs" -v n="$n" -v ff="$([ "$jac" = feedforward ] && echo 1 || echo 0)" \
    'BEGIN{printf "%.3g", ff ? r / n / s : r / s}')
  printf "%-6s %-7s %-8s %9s %9s %10s %9s %7s %8.1f %14s %16s\n" "$n" "$jac" "$reinit" "$wall" \
    "$steps" "$rhs" "$restarts" "$events" "$(awk -v k="$rss" 'BEGIN{print k/1024}')" "$per" "$nrhs"
done
