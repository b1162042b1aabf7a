#!/usr/bin/env bash
# Transient noise from the CLI (docs/model.md, Noise; docs/spec.md, [noise]):
#  - a sweep of four points with the same parts and noise on: each point its own noise (four
#    thresholds), the same bytes on 1 and 2 ranks, other bytes with another noise.seed, and the
#    noise keys in spec.canonical only when set;
#  - `uclif simulate` with noise: the same run twice, another seed another run, and with noise
#    off (keys set at their defaults, any bandwidth or seed) the same bytes as without them.
# Usage: test_noise.sh UCLIF SOURCE_DIR
set -u
uclif=$1
src=$2
. "$src/tests/mpi/mpi_env.sh" # check/finish; MPI as root
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
spec="$src/tests/specs/noise-sweep.ini"

sweep1 "$uclif" sweep "$spec" -o "$work/r1" --quiet >/dev/null 2>"$work/err"
rc=$?; check "noise sweep on 1 rank ($(tail -1 "$work/err"))" "$rc"
$MPIRUN -np 2 "$uclif" sweep "$spec" -o "$work/r2" --quiet >/dev/null 2>"$work/err"
rc=$?; check "noise sweep on 2 ranks ($(tail -1 "$work/err"))" "$rc"
for f in points.csv rate_curves.csv; do
  cmp -s "$work/r1/$f" "$work/r2/$f"
  check "1 and 2 ranks: the same $f" $?
done
# four points with the same parts: four different thresholds (each point draws its own noise)
n=$(gawk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "\"threshold_V\"") c = i; next }
  $2 == "\"ok\"" { t[$c] = 1 } END { print length(t) }' "$work/r1/points.csv")
check "four points, four thresholds ($n)" $([ "$n" = 4 ]; echo $?)
grep -q '^noise.noise.thermal = on$' "$work/r1/spec.canonical" &&
  grep -q '^noise.noise.seed = 1$' "$work/r1/spec.canonical"
check "with noise on spec.canonical names every noise key, defaults included" $?
sed 's/^\[noise\]$/[noise]\nnoise.seed = 2/' "$spec" >"$work/seed2.ini"
sweep1 "$uclif" sweep "$work/seed2.ini" -o "$work/s2" --quiet >/dev/null 2>"$work/err"
rc=$?; check "noise.seed = 2 runs ($(tail -1 "$work/err"))" "$rc"
cmp -s "$work/r1/points.csv" "$work/s2/points.csv"
check "another noise.seed: other points.csv" $([ $? -ne 0 ]; echo $?)
# half the points, then a resume computes the rest: the same bytes as one run
sweep1 "$uclif" sweep "$spec" -o "$work/h" --slice 1/2 --no-merge --quiet >/dev/null 2>"$work/err"
rc=$?; check "the first half of the noise sweep ($(tail -1 "$work/err"))" "$rc"
sweep1 "$uclif" sweep "$spec" -o "$work/h" --resume --quiet >/dev/null 2>"$work/err"
rc=$?; check "its resume computes the rest ($(tail -1 "$work/err"))" "$rc"
cmp -s "$work/r1/points.csv" "$work/h/points.csv"
check "half, then resumed: the same points.csv" $?

# simulate: repeatable, seeded; noise off changes nothing
sim() { "$uclif" simulate -o "$work/$1" --sample 0 "${@:2}" >/dev/null 2>"$work/err"; }
sim a --set noise.thermal=on --set noise.bandwidth=200k
rc=$?; check "simulate with noise ($(tail -1 "$work/err"))" "$rc"
sim b --set noise.thermal=on --set noise.bandwidth=200k
sim c --set noise.thermal=on --set noise.bandwidth=200k --set noise.seed=7
sim d
sim e --set noise.thermal=off --set noise.bandwidth=3k --set noise.seed=9 --set jitter.I_GT=0
cmp -s "$work/a/events.csv" "$work/b/events.csv"
check "the same noise run twice: the same events" $?
cmp -s "$work/a/events.csv" "$work/c/events.csv"
check "another seed: other events" $([ $? -ne 0 ]; echo $?)
cmp -s "$work/a/events.csv" "$work/d/events.csv"
check "noise on: other events than without" $([ $? -ne 0 ]; echo $?)
cmp -s "$work/d/events.csv" "$work/e/events.csv"
check "noise off, its keys set: the same events as without them" $?
"$uclif" simulate -o "$work/x" --set noise.bandwidth=0 >/dev/null 2>"$work/err"
rc=$?
check "noise.bandwidth = 0 refused naming the key (exit $rc: $(cat "$work/err"))" \
  $([ "$rc" -eq 2 ] && grep -q "noise.bandwidth" "$work/err"; echo $?)
"$uclif" simulate -o "$work/x" --set noise.bandwidth=2e9 >/dev/null 2>"$work/err"
rc=$?
check "noise.bandwidth above 1 GHz refused (exit $rc: $(cat "$work/err"))" \
  $([ "$rc" -eq 2 ] && grep -q "at most 1 GHz" "$work/err"; echo $?)
finish
