#!/usr/bin/env bash
# Bounded points (issue 16): a wall-time limit ends a characterization that would take long
# (C = 1e-30 F: runs of ~1e-25 s time constants over milliseconds), alone and as a sweep point,
# with status limit and a message that advises nothing that does not exist; procedures that
# depend on a failed threshold search are not run, and the reason says so; progress lines reach
# a log, and --quiet silences them. The wall-time bounds are generous (sanitizer builds); the
# measured times are in docs/benchmarks.md. Usage: test_bounded.sh UCLIF SOURCE_DIR
set -u
uclif=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$src/tests/mpi/mpi_env.sh" # check/finish; MPI as root, no leak detection in `uclif sweep`
spec="$src/sweeps/examples/type1-characterize.ini"
# where the limit strikes depends on the machine's speed: during a search ("threshold: at 2.8 V:
# the point's ...") or after it ("rate_curve: the point's ...")
limit_re="^0,\"limit\",\"[a-z_ ]*: (at [0-9.e+-]* V: )?the point's wall-time limit was reached"

# the wall-time limit, alone: status limit, exit 1, seconds not minutes; progress in the log
t0=$(date +%s)
UCLIF_PROGRESS_INTERVAL=0.25 "$uclif" characterize "$spec" --set C=1e-30 --point-timeout 2 \
  --out "$work/c" >"$work/out" 2>"$work/err"
rc=$?
t1=$(date +%s)
check "C=1e-30 with --point-timeout 2 exits 1 (rc $rc: $(tail -1 "$work/err"))" \
  $([ "$rc" -eq 1 ]; echo $?)
check "it ends within 20 s (took $((t1 - t0)) s)" $([ $((t1 - t0)) -le 20 ]; echo $?)
grep -Eq "$limit_re" <(sed -n 2p "$work/c/points.csv")
check "the row's status is limit and the reason names the limit" $?
grep -q "raise the sample interval" "$work/err" "$work/c/points.csv"
check "no advice to use an option that does not exist" $([ $? -ne 0 ]; echo $?)
grep -Eq '^progress: [a-z_]+, simulation [0-9]+ \(t = .* of .* s\), [0-9]+ s$' "$work/err"
rc=$?; check "progress lines in the log ($(grep -c '^progress:' "$work/err") of them)" "$rc"

# --quiet: no progress, no summary
UCLIF_PROGRESS_INTERVAL=0.25 "$uclif" characterize "$spec" --set C=1e-30 --point-timeout 1 \
  --quiet --out "$work/q" >"$work/out" 2>"$work/err"
grep -q '^progress:' "$work/err"
check "--quiet prints no progress" $([ $? -ne 0 ]; echo $?)
check "--quiet prints no summary" $([ ! -s "$work/out" ]; echo $?)

# bad values and a network spec
"$uclif" characterize "$spec" --point-timeout 0 --out "$work/bad" >/dev/null 2>"$work/err"
check "--point-timeout 0 exits 2" $([ $? -eq 2 ]; echo $?)
"$uclif" characterize "$src/sweeps/paper/fig4-network.ini" --point-timeout 5 \
  --out "$work/net" >/dev/null 2>"$work/err"
rc=$?
check "--point-timeout on a network spec exits 2" $([ "$rc" -eq 2 ]; echo $?)
grep -q "point-timeout applies to single-neuron specs only" "$work/err"
rc=$?; check "and says why ($(cat "$work/err"))" "$rc"

# the same point in a sweep: a limit row
t0=$(date +%s)
sweep1 "$uclif" sweep "$spec" --set C=1e-30 --point-timeout 2 -o "$work/s" --quiet \
  >/dev/null 2>"$work/err"
rc=$?
t1=$(date +%s)
check "the sweep exits 0 (a failed point is a row; rc $rc)" "$rc"
check "it ends within 20 s (took $((t1 - t0)) s)" $([ $((t1 - t0)) -le 20 ]; echo $?)
grep -Eq "$limit_re" <(sed -n 2p "$work/s/points.csv")
check "the sweep's row has status limit" $?

# a failed threshold search: the rate curve and the energy run are not run
"$uclif" characterize --set max_steps=300 --out "$work/d" >/dev/null 2>"$work/err"
check "a step-limited search exits 1" $([ $? -eq 1 ]; echo $?)
row=$(sed -n 2p "$work/d/points.csv")
echo "$row" | grep -q '^0,"limit","threshold: at [0-9.]* V: step limit (max_steps = 300) reached'
check "the reason starts with the search's failure" $?
echo "$row" | grep -q '; not run, the threshold search failed: rate_curve, energy, threshold_period"'
check "and names the procedures not run" $?
n=$(awk -F, 'NR > 1 && $3 == 0 && $4 == "\"limit\"" && $6 == ""' "$work/d/rate_curves.csv" | wc -l)
check "33 rate-curve rows not simulated, status limit, no rate ($n)" $([ "$n" -eq 33 ]; echo $?)
"$uclif" characterize --set max_steps=300 --out "$work/d2" 2>/dev/null |
  grep -Eq '^([0-9]|1[0-9]) simulations, '
check "it takes fewer than 20 simulations" $?

finish
