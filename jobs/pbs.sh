#!/bin/bash
# PBS/Torque job for a uclif sweep. Submit with:
#   qsub -l select=4:ncpus=32:mpiprocs=32 -v SPEC=sweeps/explore/r1-c-threshold-map.ini,OUT=results/map jobs/pbs.sh
# Requeue-safe: finished points are kept in OUT/shards and skipped when the job runs again.
#PBS -N uclif-sweep
#PBS -l walltime=01:00:00
#PBS -j oe
#PBS -r y
set -euo pipefail
cd "${PBS_O_WORKDIR:-.}"
mpirun "${UCLIF:-uclif}" sweep "$SPEC" -o "$OUT" --resume
