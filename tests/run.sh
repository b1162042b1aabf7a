#!/usr/bin/env bash
# Build and run every test: a warnings-as-errors release build, the SLURM job scripts on a
# throw-away single-node SLURM cluster, then an AddressSanitizer +
# UndefinedBehaviorSanitizer build, then a short fuzz run of the spec parser over its corpus.
# Ends with one line counting all of them; exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh clang libclang-rt-14-dev ngspice chromium
jobs=$(nproc)
mkdir -p build
count() { # ctest log -> number of tests passed
  sed -n 's/^100% tests passed, 0 tests failed out of \([0-9]*\)$/\1/p' "$1"
}
cmake -S . -B build/ci -DUCL_WERROR=ON -DCMAKE_BUILD_TYPE=Release
cmake --build build/ci -j"$jobs"
(cd build/ci && ctest --output-on-failure -j"$jobs") | tee build/ctest-ci.log
echo "SLURM job scripts on a throw-away single-node cluster:"
slurm=0
slurm_note=""
if bash tests/slurm/test_slurm.sh build/ci/uclif . >build/slurm.log 2>&1; then
  tail -1 build/slurm.log
  slurm=$(sed -n 's/^\([0-9]*\) passed, 0 failed$/\1/p' build/slurm.log)
else
  rc=$?
  cat build/slurm.log
  [ "$rc" -eq 77 ] || exit 1
  slurm_note=" (SLURM test skipped: see above)"
fi
# The sanitizer stage looks for memory and undefined-behaviour errors, so it needs every code
# path once, not every number again: the longest end-to-end tests run in a reduced form there
# (UCL_TEST_REDUCED=1, set by CMakeLists.txt for the sanitizer build; the release stage above
# runs them in full):
#  - cli_fit skips its 2-rank repeat of the same fit (the byte-identity on 1 and 2 ranks is a
#    number; the 2-rank batch path, ucl_sched_batch, runs sanitized in mpi_sched_batch and in
#    cli_tune's 2-rank runs);
#  - cli_tune skips the 10 % capacitors' yield and its 1-rank repeat (the same analysis code as
#    the 1 % yield it keeps; they check that yield falls with the tolerance and is the same on 1
#    and 2 ranks, numbers); the round trip, the 1 % yield, the fit's model uncertainty, the bad
#    and the unreachable targets all run;
#  - unit_noise's kT/C check integrates seed 1 alone instead of 3 (the same code; the pooled
#    statistics of three seeds are a number);
#  - mpi_store_faults kills the launcher twice in a 40-point sweep instead of five times in a
#    100-point one (the same kill, fence and resume; it is RUN_SERIAL, so the stage waits for it:
#    65 s against 105 s in the release build).
# ngspice_property (120 ngspice runs) is not registered in the sanitizer build (CMakeLists.txt).
# -O1, as AddressSanitizer advises for speed (its checks are the same): the stage's ctest took
# 590 s here against 720 s at -O0 (cli_tune 214 s against 274 s).
cmake -S . -B build/asan -DUCL_WERROR=ON -DUCL_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
  "-DCMAKE_C_FLAGS_DEBUG=-g -O1"
cmake --build build/asan -j"$jobs"
(cd build/asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$jobs") |
  tee build/ctest-asan.log
echo "fuzz smoke run (30 s over tests/fuzz/corpus):"
bash tests/fuzz/run.sh 30 build/fuzz >build/fuzz.log 2>&1 || { tail -40 build/fuzz.log; exit 1; }
grep -E "^Done [0-9]+ runs" build/fuzz.log
n1=$(count build/ctest-ci.log)
n2=$(count build/ctest-asan.log)
echo "release ${n1:-0} + SLURM ${slurm:-0} + sanitizers ${n2:-0} + fuzz 1"
echo "all: $(( ${n1:-0} + ${slurm:-0} + ${n2:-0} + 1 )) passed, 0 failed$slurm_note"
