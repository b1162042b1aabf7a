#!/usr/bin/env bash
# Build and run every test, twice: a warnings-as-errors release build, then an
# AddressSanitizer + UndefinedBehaviorSanitizer build. Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
jobs=$(nproc)
cmake -S . -B build/ci -DUCL_WERROR=ON -DCMAKE_BUILD_TYPE=Release
cmake --build build/ci -j"$jobs"
(cd build/ci && ctest --output-on-failure -j"$jobs")
cmake -S . -B build/asan -DUCL_WERROR=ON -DUCL_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
cmake --build build/asan -j"$jobs"
(cd build/asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$jobs")
