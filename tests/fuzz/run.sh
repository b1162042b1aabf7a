#!/usr/bin/env bash
# Build the spec-parser fuzz target with clang's libFuzzer (+ ASan/UBSan) and run it.
#   tests/fuzz/run.sh SECONDS [BUILD_DIR]     e.g. tests/fuzz/run.sh 600
# The corpus in tests/fuzz/corpus is read and, on long runs, extended; crashes stop the run with
# a non-zero exit and a reproducer file in BUILD_DIR.
set -euo pipefail
secs=${1:-30}
cd "$(dirname "$0")/../.."
out=${2:-build/fuzz}
mkdir -p "$out"
srcs="$(ls src/base/*.c src/model/*.c src/solve/*.c src/measure/*.c) src/sweep/sweep.c"
# shellcheck disable=SC2086
# KLU's header (included by SUNDIALS' sunlinsol_klu.h) lives in SuiteSparse's own folder; the
# CMake build gets it from the SUNDIALS::sunlinsolklu target
clang -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=all -Iinclude -I/usr/include/suitesparse $srcs tests/fuzz/fuzz_spec.c -o "$out/fuzz_spec" \
  -lsundials_cvodes -lsundials_nvecserial -lsundials_sunmatrixdense -lsundials_sunlinsoldense \
  -lsundials_sunmatrixsparse -lsundials_sunlinsolklu -lklu \
  -lcsv -lgsl -lgslcblas -lm
mkdir -p "$out/corpus"
"$out/fuzz_spec" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$out/" -print_final_stats=1 "$out/corpus" tests/fuzz/corpus
