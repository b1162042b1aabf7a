#!/bin/bash
# SLURM job for a uclif sweep. Submit with:
#   sbatch --ntasks=256 --time=02:00:00 jobs/slurm.sh sweeps/explore/r1-c-threshold-map.ini results/map
# Requeue-safe: finished points are kept in OUT/shards and skipped when the job runs again.
#SBATCH --job-name=uclif-sweep
#SBATCH --ntasks=64
#SBATCH --time=01:00:00
#SBATCH --output=uclif-%j.log
#SBATCH --requeue
set -euo pipefail
spec=$1
out=$2
srun "${UCLIF:-uclif}" sweep "$spec" -o "$out" --resume
