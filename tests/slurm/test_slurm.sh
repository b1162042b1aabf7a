#!/usr/bin/env bash
# The SLURM job scripts under a real (single-node, throw-away) SLURM: jobs/sweep.slurm stopped
# mid-run by the SIGUSR1 that --signal=B:USR1@120 sends before the time limit (here by scancel
# --batch --signal=USR1), which requeues itself, and jobs/submit-array.sh (3 slices + a dependent
# merge), each give merged CSVs byte-identical to an uninterrupted local run.
# Usage: test_slurm.sh UCLIF SOURCE_DIR   (root: installs slurm-wlm and munge when missing)
# Exit: 0 all passed, 1 a check failed, 77 skipped (no SLURM cluster could be started here).
set -u
uclif=$(readlink -f "$1")
src=$(readlink -f "$2")
. "$src/tests/slurm/cluster.sh"
work=$(mktemp -d)
trap 'cluster_stop; rm -rf "$work"' EXIT
. "$src/tests/check.sh"
wait_gone() { # job id, seconds
  for _ in $(seq 1 $(($2 * 10))); do
    [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0
    sleep 0.1
  done
  return 1
}
finished_points() { cat "$1"/shards/*.txt "$1"/shards/*/*.txt 2>/dev/null | grep -c '^E '; }

# A machine that cannot host SLURM at all (no root to install it, no usable host name) skips
# with the reason (exit 77); everything after the cluster is up must pass.
if ! cluster_start "$work/cluster"; then
  echo "SKIPPED: could not start a single-node SLURM test cluster (see above)"
  exit 77
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 UCLIF="$uclif"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
cp "$src/tests/specs/sweep-40.ini" "$work/spec.ini"
"$uclif" sweep "$work/spec.ini" -o "$work/ref" --quiet
check "uninterrupted local run" $?

# 1. sbatch, SIGUSR1 mid-run (as before the time limit): the job stops, requeues itself, resumes
cd "$work"
jid=$(sbatch --parsable --ntasks=2 "$src/jobs/sweep.slurm" "$work/spec.ini" "$work/run")
check "sbatch jobs/sweep.slurm ($jid)" $([ -n "$jid" ]; echo $?)
for _ in $(seq 1 1200); do
  [ "$(finished_points "$work/run")" -ge 6 ] && break
  sleep 0.1
done
before=$(finished_points "$work/run")
scancel --batch --signal=USR1 "$jid"
check "SIGUSR1 to the job script after $before of 40 points" $([ "$before" -ge 6 ] && [ "$before" -lt 40 ]; echo $?)
# SLURM holds a requeued job for the credential lifetime (120 s) once it is back to PENDING;
# a user in a hurry lifts the hold the same way.
for _ in $(seq 1 600); do
  [ "$(squeue -h -j "$jid" -o %T 2>/dev/null)" = PENDING ] && break
  sleep 0.1
done
# ... but only once slurmd has finished with the killed first run: a start of the same job id
# while it still holds that kill is dropped ("Job N already killed, do not launch batch job", a
# race seen in about one run in four here), and the job then ends without running again
for _ in $(seq 1 300); do
  [ "$(sinfo -h -N -o %T 2>/dev/null | sort -u)" = idle ] && break
  sleep 0.1
done
sleep 2
scontrol update jobid="$jid" StartTime=now
wait_gone "$jid" 300
check "the requeued job finished" $?
grep -q "stopped by SIGUSR1 after [0-9]* of 40 points" "$work/run/slurm-$jid.log"
check "the ranks stopped and said how far (log next to the output)" $?
grep -q "requeueing job $jid" "$work/run/slurm-$jid.log"
check "the job requeued itself" $?
grep -q "restart 1" "$work/run/slurm-$jid.log"
check "it ran again after the requeue" $?
grep -q "^run = 1$" "$work/run/manifest.txt"
rc=$?; check "the second run resumed ($(grep done_before "$work/run/manifest.txt"))" "$rc"
for f in points.csv rate_curves.csv; do
  cmp -s "$work/ref/$f" "$work/run/$f"
  check "requeued job: $f identical to the local run" $?
done

# 2. job array of 3 slices and a dependent merge
read -r arr mrg < <("$src/jobs/submit-array.sh" "$work/spec.ini" "$work/arr" 3 --ntasks=1)
check "submit-array.sh ($arr, merge $mrg)" $([ -n "$arr" ] && [ -n "$mrg" ]; echo $?)
wait_gone "$mrg" 300
check "the array and its merge finished" $?
check "the merge wrote the manifest" $(grep -q "^merged = 40$" "$work/arr/manifest.txt"; echo $?)
check "three slices" $([ "$(ls -d "$work"/arr/shards/slice-* | wc -l)" -eq 3 ]; echo $?)
for f in points.csv rate_curves.csv; do
  cmp -s "$work/ref/$f" "$work/arr/$f"
  check "job array: $f identical to the local run" $?
done
finish
