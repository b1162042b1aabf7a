#!/usr/bin/env bash
# The round trip's coverage study (issue 15's "must show", docs/fit.md "Status"): the truth of
# fits/example/truth.ini (R_in 13k, scr.I_GT 16 uA, ...) simulated under the staircase and the
# DC step of fits/example/make-recordings.sh, then degraded as a bench acquisition would (16 bits
# over ±10 V, 100 kS/s, 5 mV RMS noise, a 3 µs trigger offset, gains 1.01 / 0.99) with noise seeds
# 1..N; each pair of recordings fitted for R_in and scr.I_GT (plus the acquisition's input and
# V_mem gains and its delay) from the defaults (fits/example/coverage.ini). Prints, per seed, each
# value with its 95 % interval and whether the interval covers the truth, then the counts.
# Usage: bench/coverage.sh BUILD_DIR [REPEATS] [RANKS] [OUT_DIR] [FIRST_SEED]
#   REPEATS: seeds FIRST_SEED..REPEATS (default 10); RANKS: MPI ranks per fit (default 2);
#   FIRST_SEED (default 1) continues a study cut short (the counts are then over those seeds).
set -euo pipefail
build=${1:?usage: bench/coverage.sh BUILD_DIR [REPEATS] [RANKS] [OUT_DIR] [FIRST_SEED]}
repeats=${2:-10}
ranks=${3:-2}
out=${4:-$(mktemp -d)}
first=${5:-1}
here=$(cd "$(dirname "$0")/.." && pwd)
ex=$here/fits/example
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p "$out"

# the clean runs, once: sampled every 1 µs plus every event and stimulus edge
"$build/uclif" simulate "$ex/truth.ini" --set kind=staircase --set start=1m --set width=10u \
  --set period=100u --set amp_start=2 --set amp_stop=7 --set amp_step=1 --set level_pulses=50 \
  --set duration=31m --sample 1u --quiet --out "$out/clean-staircase"
"$build/uclif" simulate "$ex/truth.ini" --set kind=step --set start=1m --set amplitude=4 \
  --set width=5m --set duration=12m --sample 1u --quiet --out "$out/clean-dc-step"

covered_r=0
covered_g=0
printf '%-5s %-34s %-8s %-40s %-8s %s\n' seed "R_in [95 %]" covers "scr.I_GT [95 %]" covers "chi2/(n-k)"
for seed in $(seq "$first" "$repeats"); do
  d=$out/seed-$seed
  mkdir -p "$d"
  for rec in staircase dc-step; do
    "$build/degrade" "$out/clean-$rec/waveform.csv" "$d/$rec.csv" --rate 100k --bits 16 \
      --range 10 --noise 5m --trigger-offset 3u --gain V_in_V=1.01 --gain V_mem_V=0.99 \
      --columns t_s,V_in_V,V_mem_V --seed "$seed"
  done
  cp "$ex/coverage.ini" "$d/fit.ini"
  mkdir -p "$d/data"
  mv "$d/staircase.csv" "$d/dc-step.csv" "$d/data/"
  mpirun --oversubscribe -np "$ranks" "$build/uclif" fit "$d/fit.ini" -o "$d/out" --quiet ||
    true
  # parameters.csv by its header's names
  line=$(tr -d '"\r' <"$d/out/parameters.csv" | awk -F, '
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $c["parameter"] == "R_in" { r = $c["value"]; ra = $c["ci95_lo"]; rb = $c["ci95_hi"] }
    $c["parameter"] == "scr.I_GT" { g = $c["value"]; ga = $c["ci95_lo"]; gb = $c["ci95_hi"] }
    END { printf "%.6g [%.6g, %.6g] %d %.6g [%.6g, %.6g] %d", r, ra, rb, (ra <= 13000 && 13000 <= rb),
          g, ga, gb, (ga <= 16e-6 && 16e-6 <= gb) }')
  read -r r ra rb cr g ga gb cg <<<"$line"
  red=$(sed -n 's/.*(chi2\/(n-k) \([0-9.e+-]*\)).*/\1/p' "$d/out/fit.txt" | head -1)
  printf '%-5s %-34s %-8s %-40s %-8s %s\n' "$seed" "$r $ra $rb" "$cr" "$g $ga $gb" "$cg" "$red"
  covered_r=$((covered_r + cr))
  covered_g=$((covered_g + cg))
done
n=$((repeats - first + 1))
echo "R_in: the 95 % interval covers the truth in $covered_r of $n repeats (seeds $first..$repeats)"
echo "scr.I_GT: the 95 % interval covers the truth in $covered_g of $n repeats (seeds $first..$repeats)"
