#!/usr/bin/env bash
# Submit a sweep as a SLURM job array of TASKS slices plus a merge that runs after all of them:
#   jobs/submit-array.sh SPEC OUTDIR TASKS [sbatch options, e.g. --ntasks=16 --time=02:00:00]
# Prints the two job ids.
set -euo pipefail
dir=$(dirname "$0")
if [ $# -lt 3 ]; then
  echo "usage: jobs/submit-array.sh SPEC OUTDIR TASKS [sbatch options]" >&2
  exit 2
fi
spec=$1
out=$2
n=$3
shift 3
array=$(sbatch --parsable --array="0-$((n - 1))" "$@" "$dir/sweep-array.slurm" "$spec" "$out")
merge=$(sbatch --parsable --dependency="afterok:$array" "$dir/merge.slurm" "$out" "$spec")
echo "$array $merge"
