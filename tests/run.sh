#!/usr/bin/env bash
# Build and run every test: a warnings-as-errors release build, then an AddressSanitizer +
# UndefinedBehaviorSanitizer build, then a short fuzz run of the spec parser over its corpus.
# Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh clang libclang-rt-14-dev
jobs=$(nproc)
cmake -S . -B build/ci -DUCL_WERROR=ON -DCMAKE_BUILD_TYPE=Release
cmake --build build/ci -j"$jobs"
(cd build/ci && ctest --output-on-failure -j"$jobs")
cmake -S . -B build/asan -DUCL_WERROR=ON -DUCL_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
cmake --build build/asan -j"$jobs"
(cd build/asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$jobs")
echo "fuzz smoke run (30 s over tests/fuzz/corpus):"
bash tests/fuzz/run.sh 30 build/fuzz >build/fuzz.log 2>&1 || { tail -40 build/fuzz.log; exit 1; }
grep -E "^Done [0-9]+ runs" build/fuzz.log
echo "fuzz: 1 passed, 0 failed"
