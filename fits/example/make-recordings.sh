#!/usr/bin/env bash
# make-recordings.sh BUILD_DIR — the example recordings of fits/example (README.md there):
# `uclif simulate` of truth.ini under four stimuli, sampled every 1 µs plus every event and
# stimulus edge, each then made into a bench acquisition by tests/fit/degrade: 100 kS/s, a 16-bit
# ADC over ±10 V, 5 mV RMS white noise, a 3 µs trigger offset, gain errors V_in_V 1.01,
# V_mem_V 0.99, V_out_V 1.005, seed 1. Writes data/<name>.csv beside this script (columns t_s,
# V_in_V, V_mem_V, V_out_V). Deterministic: a rerun rewrites the same bytes.
#   BUILD_DIR holds the uclif and degrade executables (cmake --build BUILD_DIR).
set -euo pipefail
BUILD=${1:?usage: make-recordings.sh BUILD_DIR}
UCLIF=$BUILD/uclif
DEGRADE=$BUILD/degrade
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$HERE/data"

# record NAME KEY=VALUE...: simulate truth.ini under the [stimulus] KEY=VALUE..., then degrade
record() {
  local name=$1
  shift
  local sets=()
  for kv in "$@"; do
    sets+=(--set "$kv")
  done
  "$UCLIF" simulate "$HERE/truth.ini" "${sets[@]}" --sample 1u --quiet --out "$TMP/$name"
  "$DEGRADE" "$TMP/$name/waveform.csv" "$HERE/data/$name.csv" --rate 100k --bits 16 --range 10 \
    --noise 5m --trigger-offset 3u --gain V_in_V=1.01 --gain V_mem_V=0.99 --gain V_out_V=1.005 \
    --columns t_s,V_in_V,V_mem_V,V_out_V --seed 1
  local spikes
  spikes=$(grep -c '"latch"' "$TMP/$name/events.csv" || true)
  echo "data/$name.csv: $(($(wc -l <"$HERE/data/$name.csv") - 1)) samples, $spikes spikes"
}

# Every stimulus starts at 1 ms, after a quiet baseline.
# 10 us pulses every 100 us, 2 V to 7 V in 1 V levels of 5 ms: silent, then firing faster
record staircase kind=staircase start=1m width=10u period=100u amp_start=2 amp_stop=7 amp_step=1 \
  level_pulses=50 duration=31m
# 7 V, 10 us pulses every 100 us for 20 ms: regular firing
record pulse-train kind=pulses start=1m amplitude=7 width=10u period=100u duration=21m
# a 5 ms burst of the same pulses, then 24 ms of silence: the leak's decay (tau ~7 ms)
record pause kind=pulses start=1m amplitude=7 width=10u period=100u count=50 duration=30m
# a 2.5 V step for 15 ms: charging through R_in, slow firing, then the decay
record dc-step kind=step start=1m amplitude=4 width=5m duration=12m
