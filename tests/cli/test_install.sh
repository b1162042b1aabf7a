#!/usr/bin/env bash
# `cmake --install BUILD --prefix PREFIX` puts uclif where the job scripts find it: PREFIX/bin/uclif
# runs; the README and docs are in PREFIX/share/doc/uclif; the job scripts, run from their
# installed place with PREFIX/bin on the PATH and no UCLIF, sweep a tiny spec into the same
# bytes as the build's own binary. Usage: test_install.sh CMAKE BUILD_DIR SOURCE_DIR
set -u
cmake=$1
build=$(readlink -f "$2")
src=$(readlink -f "$3")
. "$src/tests/mpi/mpi_env.sh" # check/finish; MPI as root
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/opt/uclif"

"$cmake" --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1
rc=$? # (taken before a $(...) in a check's name resets $?)
check "cmake --install --prefix ($(tail -1 "$work/install.log"))" $rc
check "PREFIX/bin/uclif is executable" $([ -x "$prefix/bin/uclif" ]; echo $?)
unset UCLIF
export PATH="$prefix/bin:$PATH"
check "uclif on the PATH is the installed one" $([ "$(command -v uclif)" = "$prefix/bin/uclif" ]; echo $?)
uclif --version >"$work/version" 2>&1
rc=$?
check "uclif --version runs ($(cat "$work/version"))" $rc
grep -qE "^uclif [0-9]+\.[0-9]+\.[0-9]+$" "$work/version"
check "and prints its version" $?
for f in README.md docs/spec.md docs/outputs.md; do
  check "share/doc/uclif/$f" $([ -s "$prefix/share/doc/uclif/$f" ]; echo $?)
done
share="$prefix/share/uclif"
for f in jobs/sweep-local.sh jobs/sweep.slurm jobs/sweep.pbs jobs/submit-array.sh jobs/merge.slurm \
  analysis/paper-figures.sh; do
  check "share/uclif/$f is executable" $([ -x "$share/$f" ]; echo $?)
done
check "share/uclif/sweeps/paper (paper-figures.sh reads it beside analysis/)" \
  $([ -s "$share/sweeps/paper/fig2-type1-staircase.ini" ]; echo $?)
check "no run-local.sh (it builds a checkout)" $([ ! -e "$share/jobs/run-local.sh" ]; echo $?)

# a tiny sweep, by the build's binary and by the installed job scripts from another directory
cat >"$work/spec.ini" <<'SPEC'
[stimulus]
duration = 4m
[sweep]
R1 = 47k, 68k
[characterize]
rate_curve = 5, 7
SPEC
sweep1 "$build/uclif" sweep "$work/spec.ini" -o "$work/ref" --quiet >/dev/null 2>&1
check "reference sweep" $?
mkdir -p "$work/elsewhere"
cd "$work/elsewhere" || exit 1
env "$SWEEP_ENV" bash "$share/jobs/sweep-local.sh" "$work/spec.ini" local 1 >"$work/local.log" 2>&1
rc=$?
check "installed jobs/sweep-local.sh finds uclif on the PATH ($(tail -1 "$work/local.log"))" $rc
cmp -s "$work/ref/points.csv" local/points.csv
check "and gives the same points.csv" $?
env "$SWEEP_ENV" PBS_O_WORKDIR="$work/elsewhere" PBS_JOBID=7.test SPEC="$work/spec.ini" OUT=pbs \
  UCLIF_LAUNCH="${MPIEXEC:-mpirun} -np 2" bash "$share/jobs/sweep.pbs"
check "installed jobs/sweep.pbs runs uclif from the PATH" $?
cmp -s "$work/ref/points.csv" pbs/points.csv && cmp -s "$work/ref/rate_curves.csv" pbs/rate_curves.csv
check "and gives the same merged CSVs" $?
finish
