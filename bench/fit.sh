#!/usr/bin/env bash
# The fit benchmark (docs/benchmarks.md "uclif fit"): the four-parameter fit of the shipped
# example (fits/example/fit.ini: R_in, VDD, scr.I_GT, scr.I_H and four acquisition parameters)
# on 1 and on 2 ranks; prints the evaluations and wall times from fit.txt and checks that the
# two runs wrote the same bytes.
# Usage: bench/fit.sh BUILD_DIR [OUT_DIR]
set -euo pipefail
build=${1:?usage: bench/fit.sh BUILD_DIR [OUT_DIR]}
out=${2:-$(mktemp -d)}
here=$(cd "$(dirname "$0")/.." && pwd)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
"$build/uclif" fit "$here/fits/example/fit.ini" -o "$out/r1" --quiet || true
mpirun --oversubscribe -np 2 "$build/uclif" fit "$here/fits/example/fit.ini" -o "$out/r2" --quiet || true
for r in r1 r2; do
  echo "$r: $(grep -m1 'evaluations' "$out/$r/fit.txt" | sed 's/.*, \([0-9]*\) evaluations.*/\1 evaluations/'), $(grep '^Ranks' "$out/$r/fit.txt")"
done
for f in parameters.csv comparison.csv overlay.csv spikes.csv fitted.ini; do
  cmp -s "$out/r1/$f" "$out/r2/$f" && echo "same bytes: $f" || echo "DIFFERENT: $f"
done
