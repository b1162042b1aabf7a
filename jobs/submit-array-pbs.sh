#!/usr/bin/env bash
# Submit a sweep as a PBS Pro job array of TASKS slices plus a merge that runs after all of them
# (the equivalent of jobs/submit-array.sh):
#   jobs/submit-array-pbs.sh SPEC OUT TASKS [qsub options, e.g. -l select=1:ncpus=16:mpiprocs=16]
# Prints the two job ids. Torque spells the array -t 0-N and the dependency afterokarray:ID.
set -euo pipefail
dir=$(dirname "$0")
if [ $# -lt 3 ]; then
  echo "usage: jobs/submit-array-pbs.sh SPEC OUT TASKS [qsub options]" >&2
  exit 2
fi
spec=$1
out=$2
n=$3
shift 3
array=$(qsub -J "0-$((n - 1))" -v "SPEC=$spec,OUT=$out,TASKS=$n" "$@" "$dir/sweep-array.pbs")
merge=$(qsub -W "depend=afterok:$array" -v "OUT=$out,SPEC=$spec" "$dir/merge.pbs")
echo "$array $merge"
