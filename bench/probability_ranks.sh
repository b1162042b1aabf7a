#!/usr/bin/env bash
# Firing probability over ranks (docs/benchmarks.md, "Firing probability over ranks"): `uclif
# characterize` of tests/specs/probability.ini (40 trials at 9 amplitudes, 2 ms; the case of
# tests/cli/test_probability.sh) and of the same with TRIALS trials, alone (no MPI), with
# `mpirun -np 1` and with `mpirun -np 2`: the median wall time of REPS runs each and the CPU time
# of the busiest rank, and a check that the three give the same bytes.
#   bench/probability_ranks.sh [BUILD_DIR] [REPS] [TRIALS]      defaults: build 5 400
set -euo pipefail
cd "$(dirname "$0")/.."
b=${1:-build}
reps=${2:-5}
big=${3:-400}
uclif=$PWD/$b/uclif
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1

median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

sed "s/^trials = 40/trials = $big/" tests/specs/probability.ini >"$work/big.ini"
# wall: the launcher's (median of REPS); cpu: user + system seconds of the busiest rank (each
# rank timed by its own /usr/bin/time; median of REPS), what the wall time approaches on an
# otherwise idle machine with a core per rank
printf '%-16s %7s %-6s %8s %8s\n' case trials ranks wall_s cpu_s
for c in tests/specs/probability.ini "$work/big.ini"; do
  trials=$(awk -F' *= *' '$1 == "trials" {print $2}' "$c")
  for how in alone np1 np2; do
    case $how in
    alone) launch=() ;;
    np1) launch=(mpirun -np 1) ;;
    np2) launch=(mpirun -np 2) ;;
    esac
    for i in $(seq "$reps"); do
      /usr/bin/time -o "$work/wall" -f %e "${launch[@]}" /usr/bin/time -a -o "$work/cpu.$i" \
        -f '%U %S' "$uclif" characterize "$c" -o "$work/$how" --no-datasheet --quiet >/dev/null
      cat "$work/wall" >>"$work/walls"
      awk '{c = $1 + $2; if (c > m) m = c} END {print m}' "$work/cpu.$i" >>"$work/cpus"
      rm -f "$work/cpu.$i"
    done
    printf '%-16s %7s %-6s %8s %8s\n' "$(basename "$c")" "$trials" "$how" \
      "$(median <"$work/walls")" "$(median <"$work/cpus")"
    rm -f "$work/walls" "$work/cpus"
  done
  for f in points.csv rate_curves.csv probability.csv; do
    cmp -s "$work/alone/$f" "$work/np1/$f" && cmp -s "$work/alone/$f" "$work/np2/$f" ||
      { echo "$f differs between rank counts" >&2; exit 1; }
  done
done
echo "the same bytes alone, on 1 and on 2 ranks"
