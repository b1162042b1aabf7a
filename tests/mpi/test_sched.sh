#!/usr/bin/env bash
# The communicator and the batch service of sched.h (tests/mpi/test_sched.c) at 1, 2 and 3 ranks.
# Usage: test_sched.sh TEST_SCHED SOURCE_DIR
set -u
prog=$1
src=$2
. "$src/tests/mpi/mpi_env.sh"
for n in 1 2 3; do
  out=$($MPIRUN -np $n "$prog" 2>&1)
  check "batch and communicator at $n ranks ($out)" $?
done
finish
