#!/usr/bin/env bash
# The PBS job scripts run with the environment a PBS Pro / Torque job gets (no PBS server is
# packaged for Debian, so qsub itself is not exercised): jobs/sweep.pbs and the three subjobs of
# jobs/sweep-array.pbs plus jobs/merge.pbs give merged CSVs byte-identical to a local run, with
# their logs next to the output. Usage: test_pbs_env.sh UCLIF SRC
set -u
uclif=$(readlink -f "$1")
src=$(readlink -f "$2")
. "$src/tests/mpi/mpi_env.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/spec.ini" <<'SPEC'
[stimulus]
duration = 5m
[sweep]
R1 = lin(40k, 100k, 7)
C = 10n, 15n
[characterize]
rate_curve = lin(4, 9, 3)
SPEC
sweep1 "$uclif" sweep "$work/spec.ini" -o "$work/ref" --quiet >/dev/null 2>&1
check "local run" $?
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" UCLIF="$uclif"
export UCLIF_LAUNCH="${MPIEXEC:-mpirun} -np 2"
cd "$work"
env PBS_O_WORKDIR="$work" PBS_JOBID=101.server SPEC=spec.ini OUT=one bash "$src/jobs/sweep.pbs"
check "jobs/sweep.pbs" $?
check "its log is next to the output" $(grep -q "job 101.server" one/pbs-101.server.log; echo $?)
for i in 0 1 2; do # PBS Pro names the subjobs 102[i].server and sets PBS_ARRAY_INDEX
  env PBS_O_WORKDIR="$work" PBS_JOBID="102[$i].server" PBS_ARRAY_INDEX=$i SPEC=spec.ini \
    OUT=arr TASKS=3 bash "$src/jobs/sweep-array.pbs"
  check "jobs/sweep-array.pbs subjob $i" $?
done
check "no merge before jobs/merge.pbs" $([ ! -e arr/points.csv ]; echo $?)
env PBS_O_WORKDIR="$work" PBS_ARRAYID=0 SPEC=spec.ini OUT=torque TASKS=1 \
  bash "$src/jobs/sweep-array.pbs"
check "Torque's PBS_ARRAYID is understood" $(ls torque/shards/slice-0-of-1 >/dev/null 2>&1; echo $?)
env PBS_O_WORKDIR="$work" PBS_JOBID=103.server OUT=arr SPEC=spec.ini bash "$src/jobs/merge.pbs"
check "jobs/merge.pbs" $?
check "it wrote the manifest (all 14 points)" $(grep -q "^merged = 14$" arr/manifest.txt; echo $?)
for f in points.csv rate_curves.csv; do
  cmp -s ref/$f one/$f
  check "sweep.pbs: $f identical to the local run" $?
  cmp -s ref/$f arr/$f
  check "sweep-array.pbs + merge.pbs: $f identical to the local run" $?
done
sweep1 "$uclif" sweep spec.ini -o arr --quiet 2>err.txt
check "an unsliced run without --resume refuses the sliced directory" \
  $([ $? -eq 2 ] && grep -q "already holds a sweep (14 of 14" err.txt; echo $?)
sweep1 "$uclif" sweep spec.ini -o arr --resume >out.txt 2>&1
check "with --resume it finds every point done in the slices" \
  $(grep -q "0 computed, 14 done before" out.txt && cmp -s ref/points.csv arr/points.csv; echo $?)
env PBS_O_WORKDIR="$work" OUT=x bash "$src/jobs/sweep.pbs" 2>err.txt
check "a missing SPEC is a clear error" $([ $? -ne 0 ] && grep -q "SPEC" err.txt; echo $?)
finish
