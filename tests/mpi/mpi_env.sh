# Shared by the MPI tests: run Open MPI as root (CI runs as root) and with more ranks than cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
# Open MPI's own start-up allocations (in MCA components it unloads at MPI_Finalize) read as
# leaks under LeakSanitizer; processes that start MPI run without leak detection. The library's
# code is leak-checked by the unit tests (tests/unit/test_store.c, test_sweep.c).
SWEEP_ENV="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
MPIRUN="env $SWEEP_ENV ${MPIEXEC:-mpirun}"
sweep1() { env "$SWEEP_ENV" "$@"; }
. "$(dirname "${BASH_SOURCE[0]}")/../check.sh"
