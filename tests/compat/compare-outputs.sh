#!/usr/bin/env bash
# shellcheck disable=SC2086 # $MPIRUN and $QUIET are word lists on purpose
# Before/after proof: run one fixed, representative set of uclif commands with two builds, each
# in its own directory, and compare every file they write byte for byte (CSVs, manifests, tune
# reports, netlists, report pages and plots, the standard output of `params` and `netlist`, and
# the exit status of every command).
#
# Usage: tests/compat/compare-outputs.sh OLD_UCLIF NEW_UCLIF [WORKDIR]
#   WORKDIR (optional) receives WORKDIR/old and WORKDIR/new and is kept; it must not exist or be
#   empty. Without it a temporary directory is used, removed when every file is the same and
#   kept (its path printed) otherwise.
#   COMPAT_INTENDED=FILE replaces the list of intended differences (default: intended.tsv beside
#   this script): lines `PATH-GLOB<TAB>REASON`, `#` comments. A file that differs and matches a
#   glob is reported as `intended` with its reason and counts as passed.
# Both binaries run the specs of the tree holding this script (sweeps/, tests/specs/,
# tests/compat/specs/), so a spec changed between the two commits does not count as a difference.
# Output: one line per compared file (`same`, `same (timings masked)`, `intended`, `DIFFERENT`
# with the first differing line), then `N passed, M failed`. Exit 0 only if none failed; 2 on
# bad usage. About a minute of CPU per build; the MPI runs use 2 ranks.
#
# What is not compared, and why:
# - DIR/shards/ of a sweep: which rank computed which point depends on timing (dynamic chunks);
#   the merged files, which are compared, are the same bytes for any rank count.
# - standard output/error of the computing commands (they run with --quiet; logs/ keeps them
#   for inspection): progress lines and wall times.
# Compared with wall times masked (the value replaced by <time>, every other byte compared):
# - manifest.txt and report/index.html (which shows the manifest): wall_s,
#   rank_s_characterizing, rank_s_per_point_overhead, overhead_fraction.
# - tune.txt: the seconds at the end of the `search:` and `Monte Carlo:` lines.
set -u

# --- the CLI grammar, one place per command (adapt here when the grammar changes) ----------
# Every command runs in its side's directory (old/ or new/) with relative output paths, so no
# path in an output differs between the two sides.
SIMULATE_OUT=--out      # uclif simulate ... OPT DIR
CHARACTERIZE_OUT=--out  # uclif characterize ... OPT DIR
SWEEP_OUT=-o            # uclif sweep SPEC OPT DIR
TUNE_OUT=-o             # uclif tune SPEC OPT DIR
NETLIST_OUT=-o          # uclif netlist ... OPT FILE (else standard output)
QUIET=--quiet           # simulate, characterize, sweep, tune
u_simulate() { "$uclif" simulate "$@" $QUIET; }
u_characterize() { "$uclif" characterize "$@" $QUIET; }
# u_sweep / u_tune RANKS ARGS...: 1 rank without mpirun, more under $MPIRUN (tests/mpi/mpi_env.sh)
mpi() { if [ "$1" -eq 1 ]; then shift; sweep1 "$@"; else $MPIRUN -np "$@"; fi; }
u_sweep() { local np=$1; shift; mpi "$np" "$uclif" sweep "$@" $QUIET; } # with "$SWEEP_OUT" DIR
u_tune() { local np=$1; shift; mpi "$np" "$uclif" tune "$@" $QUIET; }   # with "$TUNE_OUT" DIR
u_merge() { sweep1 "$uclif" merge "$@"; }                  # DIR [--spec SPEC]
u_report() { "$uclif" report "$@"; }                       # DIR
u_netlist() { "$uclif" netlist "$@"; }
u_params() { "$uclif" params "$@"; }

usage() {
  sed -n '/^# Usage/,/^# Output/{/^# Output/!p}' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
if [ $# -lt 2 ] || [ $# -gt 3 ]; then usage; fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
abspath() { (cd "$(dirname "$1")" && echo "$(pwd)/$(basename "$1")"); }
old_bin=$(abspath "$1") new_bin=$(abspath "$2")
for b in "$old_bin" "$new_bin"; do
  if [ ! -f "$b" ] || [ ! -x "$b" ]; then
    echo "compare-outputs: '$b' is not an executable file" >&2
    exit 2
  fi
done
intended=${COMPAT_INTENDED:-$here/intended.tsv}
if [ $# -eq 3 ]; then
  work=$3
  keep=1
  if [ -e "$work" ] && [ -n "$(ls -A "$work")" ]; then
    echo "compare-outputs: '$work' is not empty" >&2
    exit 2
  fi
  mkdir -p "$work" || exit 2
  work=$(cd "$work" && pwd)
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/uclif-compare.XXXXXX") || exit 2
  keep=0
fi
. "$src/tests/mpi/mpi_env.sh" # MPIRUN (Open MPI as root, oversubscribe) and sweep1

# --- the commands ------------------------------------------------------------------------
ex="$src/sweeps/examples"
paper="$src/sweeps/paper"
specs="$src/tests/specs"
own="$here/specs"

# The exit status every command must have (0 unless listed): a command that fails the same way
# with both builds (e.g. an option neither knows) must not pass as "same".
declare -A expect_rc=([sim-limit]=1 [char-limit]=1)
# run NAME COMMAND...: run in the current side's directory; the exit status goes to
# exit-codes.txt (compared), standard output and error to logs/NAME.{out,err}, the seconds taken
# to logs/times.txt
run() {
  local name=$1 t0=$SECONDS
  shift
  "$@" >"logs/$name.out" 2>"logs/$name.err"
  echo "$name $?" >>exit-codes.txt
  echo "$name $((SECONDS - t0))" >>logs/times.txt
}
# capture NAME COMMAND...: as run, but standard output is an output to compare (NAME.txt)
capture() {
  local name=$1
  shift
  "$@" >"$name.txt" 2>"logs/$name.err"
  echo "$name $?" >>exit-codes.txt
}

run_all() { # in the side's directory, with $uclif set
  # parameters and netlists (standard output; one netlist written to a file)
  capture params u_params
  capture params-type1 u_params --neuron type1
  capture params-type2 u_params --neuron type2
  capture params-mott u_params --neuron mott
  capture netlist-type1 u_netlist "$ex/type1-single.ini"
  capture netlist-type2 u_netlist "$ex/type2-characterize.ini" --set rise=1n --set fall=1n
  mkdir -p netlist-file
  run netlist-file u_netlist "$ex/type1-single.ini" --tmax 100n --reltol 1e-5 \
    --data netlist-file/wave.dat "$NETLIST_OUT" netlist-file/design.cir
  # single neurons: waveforms and events of each model, a run stopped by its step limit
  run sim-type1 u_simulate "$ex/type1-single.ini" --sample 10u "$SIMULATE_OUT" sim-type1
  run sim-type2 u_simulate "$ex/type2-characterize.ini" --sample 5u "$SIMULATE_OUT" sim-type2
  run sim-mott u_simulate --set neuron=mott --set duration=5m --sample 5u "$SIMULATE_OUT" sim-mott
  run sim-default u_simulate --set duration=5m "$SIMULATE_OUT" sim-default
  run sim-limit u_simulate --set max_steps=200 "$SIMULATE_OUT" sim-limit
  # characterizations: type I, type II (adaptation), a step-limited one (rows with reasons)
  run char-type1 u_characterize "$ex/type1-characterize.ini" "$CHARACTERIZE_OUT" char-type1
  run char-type2 u_characterize "$ex/type2-characterize.ini" "$CHARACTERIZE_OUT" char-type2
  run char-limit u_characterize --set max_steps=300 "$CHARACTERIZE_OUT" char-limit
  # networks: Fig. 4 with waveforms, coupled, characterized; a generated layered network
  run net-sim u_simulate "$paper/fig4-network.ini" --sample 2u "$SIMULATE_OUT" net-sim
  run net-coupled u_simulate "$paper/fig4-network.ini" --integration coupled --set duration=10m \
    --set S1.R=10k "$SIMULATE_OUT" net-coupled
  run net-char u_characterize "$paper/fig4-network.ini" "$CHARACTERIZE_OUT" net-char
  run net-layers u_simulate "$own/layers.ini" --sample 20u "$SIMULATE_OUT" net-layers
  # sweeps: 2 ranks and 1 rank; both neuron types; job-array slices merged by hand; a merge of
  # a finished sweep's shards; a network sweep; reports of two of them
  run sweep40-np2 u_sweep 2 "$specs/sweep-40.ini" "$SWEEP_OUT" sweep40-np2
  run sweep40-np1 u_sweep 1 "$specs/sweep-40.ini" "$SWEEP_OUT" sweep40-np1
  run sweep-small-np2 u_sweep 2 "$specs/sweep-small.ini" "$SWEEP_OUT" sweep-small-np2
  run slices-0 u_sweep 1 "$specs/sweep-small.ini" "$SWEEP_OUT" slices --slice 0/2 --no-merge
  run slices-1 u_sweep 1 "$specs/sweep-small.ini" "$SWEEP_OUT" slices --slice 1/2 --no-merge
  run slices-merge u_merge slices --spec "$specs/sweep-small.ini"
  mkdir -p remerge40 && cp -r sweep40-np2/shards sweep40-np2/manifest.txt remerge40/
  run remerge40 u_merge remerge40
  run net-sweep u_sweep 2 "$paper/fig4-synapse-sweep.ini" "$SWEEP_OUT" net-sweep
  mkdir -p net-remerge && cp -r net-sweep/shards net-remerge/
  run net-remerge u_merge net-remerge --spec "$paper/fig4-synapse-sweep.ini"
  run report-sweep40 u_report sweep40-np2
  run report-net u_report net-sweep
  # tuning: search, E-series snapping, Monte Carlo (a small spec, 2 ranks)
  run tune u_tune 2 "$own/tune-small.ini" "$TUNE_OUT" tune
}

for side in old new; do
  if [ $side = old ]; then uclif=$old_bin; else uclif=$new_bin; fi
  mkdir -p "$work/$side/logs"
  start=$SECONDS
  (cd "$work/$side" && run_all)
  echo "ran the commands with $side ($uclif): $((SECONDS - start)) s"
done

# --- the comparison ----------------------------------------------------------------------
# mask PATH FILE: FILE with the wall times of PATH's kind replaced by <time> (on stdout)
mask() {
  case $1 in
  */manifest.txt | */report/index.html)
    sed -E 's/^(wall_s|rank_s_characterizing|rank_s_per_point_overhead|overhead_fraction) = .*/\1 = <time>/' "$2" ;;
  */tune.txt) sed -E 's/^((search|Monte Carlo): .*, )[0-9.e+-]+ s$/\1<time> s/' "$2" ;;
  *) cat "$2" ;;
  esac
}
masked() { case $1 in */manifest.txt | */report/index.html | */tune.txt) return 0 ;; esac; return 1; }
# intended_reason PATH: the reason of the first intended.tsv glob matching PATH (status 1: none)
intended_reason() {
  [ -f "$intended" ] || return 1
  local glob reason
  while IFS=$'\t' read -r glob reason; do
    case $glob in '' | '#'*) continue ;; esac
    # shellcheck disable=SC2053 # the glob is a pattern
    if [[ $1 == $glob ]]; then
      echo "${reason:-(no reason given)}"
      return 0
    fi
  done <"$intended"
  return 1
}

npass=0
nfail=0
fail() { nfail=$((nfail + 1)); echo "DIFFERENT $1: $2"; }
for side in old new; do
  while read -r name rc; do
    if [ "$rc" != "${expect_rc[$name]:-0}" ]; then
      nfail=$((nfail + 1))
      echo "UNEXPECTED exit status of $name with $side: $rc, not ${expect_rc[$name]:-0}:" \
        "$(head -c 300 "$work/$side/logs/$name.err")"
    fi
  done <"$work/$side/exit-codes.txt"
done
files=$(cd "$work" && { (cd old && find . -type f); (cd new && find . -type f); } |
  sed 's|^\./||' | grep -v -e '^logs/' -e '/shards/' | LC_ALL=C sort -u)
for f in $files; do
  o="$work/old/$f" n="$work/new/$f"
  if [ ! -e "$o" ] || [ ! -e "$n" ]; then
    side=new
    [ -e "$o" ] && side=old
    if reason=$(intended_reason "$f"); then
      npass=$((npass + 1)); echo "intended $f (only in $side): $reason"
    else
      fail "$f" "only in $side"
    fi
    continue
  fi
  if masked "$f"; then
    mask "$f" "$o" >"$work/masked.old"
    mask "$f" "$n" >"$work/masked.new"
    o="$work/masked.old" n="$work/masked.new"
  fi
  if cmp -s "$o" "$n"; then
    npass=$((npass + 1))
    if masked "$f"; then echo "same $f (timings masked)"; else echo "same $f"; fi
  elif reason=$(intended_reason "$f"); then
    npass=$((npass + 1))
    echo "intended $f: $reason"
  else
    first=$(cmp "$o" "$n" 2>&1 | head -1 | sed "s|$work/||g")
    fail "$f" "$first"
    diff "$o" "$n" 2>&1 | head -5 | cut -c1-200 | sed 's/^/    /'
  fi
done
rm -f "$work/masked.old" "$work/masked.new"
[ -n "$files" ] || fail "(all)" "no output files"
if [ "$nfail" -eq 0 ] && [ "$keep" -eq 0 ]; then
  rm -rf "$work"
else
  echo "outputs kept in $work"
fi
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
