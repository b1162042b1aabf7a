#!/usr/bin/env bash
# Firing probability with noise (docs/features.md, Firing probability): `uclif characterize` of
# tests/specs/probability.ini (jitter.I_GT = 0.05, 40 trials at 9 amplitudes) writes
# probability.csv; p_fire rises with amplitude within sampling error (a drop no bigger than the
# two Wilson intervals allow); the probit A50 lies within threshold_noiseless_V ± the width and
# inside its own interval; another noise.seed gives other trials; a 2-point sweep of the same spec
# gives byte-identical CSVs on 1 and 2 ranks, its probability.csv (point 0's rows those of
# characterize alone) the same after half a sweep and --resume, and after a damaged row,
# --repair and --resume; one characterization over 2 and 3 ranks (its trials
# shared out) gives the bytes of one rank, also when trials fail; trials without noise are
# refused at the key's line.
# Usage: test_probability.sh UCLIF SOURCE_DIR
set -u
uclif=$1
src=$2
. "$src/tests/mpi/mpi_env.sh" # check/finish; MPI as root
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
spec="$src/tests/specs/probability.ini"

"$uclif" characterize "$spec" -o "$work/c1" --no-datasheet >"$work/out" 2>"$work/err"
rc=$?; check "characterize with trials ($(tail -1 "$work/err"))" "$rc"
prob="$work/c1/probability.csv"
check "probability.csv: a header and 9 rows" $([ "$(wc -l <"$prob")" -eq 10 ]; echo $?)
# every row: 40 trials, p_fire = fired/trials inside [p_lo, p_hi]; each drop within the intervals
gawk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { h = $i; gsub(/"/, "", h); c[h] = i }; next }
  { n++; p = $c["p_fire"]; lo = $c["p_lo"]; hi = $c["p_hi"]
    if ($c["trials"] != 40 || p != $c["fired"] / 40 || lo > p || hi < p) bad++
    if (n > 1 && hi < plo) { drop++; print "drop at row " n > "/dev/stderr" }
    if (n > 1 && p < pp) dips++
    pp = p; plo = lo; if (n == 1) first = p; last = p }
  END { print "rows " n ", dips within sampling error " dips + 0
        exit !(n == 9 && bad == 0 && drop == 0 && first < 0.2 && last > 0.8) }' "$prob"
check "p_fire rises with amplitude within its Wilson intervals, from < 0.2 to > 0.8" $?
gawk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { h = $i; gsub(/"/, "", h); c[h] = i }; next }
  { a = $c["threshold_p50_V"]; lo = $c["threshold_p50_lo_V"]; hi = $c["threshold_p50_hi_V"]
    w = $c["threshold_width_V"]; t = $c["threshold_noiseless_V"]
    printf "noise-free %s V, A50 %s V (%s .. %s), w %s V\n", t, a, lo, hi, w
    ok = $c["status"] == "\"ok\"" && w > 0 && lo < a && a < hi && a >= t - w && a <= t + w &&
         $c["probability_trials"] == 40 && $c["p50_jitter_s"] > 0 }
  END { exit !ok }' "$work/c1/points.csv"
check "A50 within threshold_noiseless_V ± threshold_width_V and inside its interval" $?
grep -q "^firing probability (40 trials per amplitude):" "$work/out"
check "the summary names the procedure" $?
# the same seed again: the same bytes; another seed: other trials
"$uclif" characterize "$spec" -o "$work/c1b" --no-datasheet --quiet 2>"$work/err"
check "a second run" $?
cmp -s "$prob" "$work/c1b/probability.csv"
check "the same seed: the same probability.csv" $?
"$uclif" characterize "$spec" -o "$work/c2" --no-datasheet --quiet --set noise.seed=2 2>"$work/err"
rc=$?; check "noise.seed = 2 ($(tail -1 "$work/err"))" "$rc"
! cmp -s "$prob" "$work/c2/probability.csv"
check "another seed: another probability.csv" $?
# a 2-point sweep of the same spec: every point runs its own trials, the same on 1 and 2 ranks
{ cat "$spec"; printf '\n[sweep]\nR1 = 60k, 68k\n'; } >"$work/sweep.ini"
sweep1 "$uclif" sweep "$work/sweep.ini" -o "$work/r1" --quiet >/dev/null 2>"$work/err"
rc=$?; check "sweep on 1 rank ($(tail -1 "$work/err"))" "$rc"
$MPIRUN -np 2 "$uclif" sweep "$work/sweep.ini" -o "$work/r2" --quiet >/dev/null 2>"$work/err"
rc=$?; check "sweep on 2 ranks ($(tail -1 "$work/err"))" "$rc"
cmp -s "$work/r1/points.csv" "$work/r2/points.csv"
check "1 and 2 ranks: the same points.csv" $?
cmp -s "$work/r1/rate_curves.csv" "$work/r2/rate_curves.csv"
check "1 and 2 ranks: the same rate_curves.csv" $?
gawk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { h = $i; gsub(/"/, "", h); c[h] = i }; next }
  $c["threshold_p50_V"] != "" { n++; v[n] = $c["threshold_p50_V"] }
  END { exit !(n == 2 && v[1] != v[2]) }' "$work/r1/points.csv"
check "both sweep points have their own A50" $?
cmp -s "$work/r1/probability.csv" "$work/r2/probability.csv"
check "1 and 2 ranks: the same probability.csv" $?
# the sweep's probability.csv: characterize's columns after the point's index, 9 rows a point;
# point 0 (R1 = 60k, noise stream 0) has the values `uclif characterize` writes for it alone
# (point 1 draws the noise of stream 1: docs/model.md); each point's p50_p_fire in points.csv
# is the p_fire of its own row at p50_amplitude_V
check "probability.csv: the point column, then characterize's" \
  $([ "$(head -1 "$work/r1/probability.csv")" = "\"point\",$(head -1 "$prob")" ]; echo $?)
"$uclif" characterize "$spec" --set R1=60k -o "$work/c60" --no-datasheet --quiet 2>"$work/err"
rc=$?; check "characterize of point 0 alone ($(tail -1 "$work/err"))" "$rc"
cmp -s <(gawk -F, 'NR > 1 && $1 == 0' "$work/r1/probability.csv" | cut -d, -f2-) \
  <(tail -n +2 "$work/c60/probability.csv")
check "point 0's rows: characterize's values" $?
gawk -F, 'FNR == 1 { for (i = 1; i <= NF; i++) { h = $i; gsub(/"/, "", h); c[FILENAME, h] = i }
                    next }
  FILENAME ~ /probability/ { n[$1]++; pf[$1, $c[FILENAME, "amplitude_V"]] = $c[FILENAME, "p_fire"]
                             next }
  { k++; a = $c[FILENAME, "p50_amplitude_V"]; p = $c[FILENAME, "p50_p_fire"]
    if (a == "" || !(($1, a) in pf) || pf[$1, a] != p) bad++ }
  END { exit !(k == 2 && n[0] == 9 && n[1] == 9 && bad == 0) }' \
  "$work/r1/probability.csv" "$work/r1/points.csv"
check "9 rows a point, and each point's summary from its own rows" $?
grep -q "^probability_rows = 18$" "$work/r1/manifest.txt"
check "the manifest counts them" $?
# half a sweep (slice 0 of 2), then --resume: the same bytes; a damaged probability.csv row in
# a shard is named and not merged, --repair sets it aside, --resume computes its point again
sweep1 "$uclif" sweep "$work/sweep.ini" -o "$work/h" --slice 0/2 --no-merge --quiet \
  >/dev/null 2>"$work/err"
rc=$?; check "half a sweep ($(tail -1 "$work/err"))" "$rc"
sweep1 "$uclif" sweep --resume -o "$work/h" --quiet >/dev/null 2>"$work/err"
rc=$?; check "--resume ($(tail -1 "$work/err"))" "$rc"
same3() { for f in points.csv rate_curves.csv probability.csv; do
    cmp -s "$work/r1/$f" "$1/$f" || return 1; done; }
same3 "$work/h"
check "half + --resume: the same three files" $?
shard="$work/h/shards/run-0-rank-0.txt" # (point 1, written by the --resume)
line=$(grep -n '^Q' "$shard" | head -1 | cut -d: -f1)
sed -i "${line}s/,40,/,41,/" "$shard"
sweep1 "$uclif" merge "$work/h" --quiet >/dev/null 2>"$work/err"
rc=$?
check "a damaged probability row: merge exits 1 naming it ($(head -1 "$work/err"))" \
  $([ "$rc" -eq 1 ] && grep -q "shards/run-0-rank-0.txt:.*point 1's block" "$work/err"; echo $?)
sweep1 "$uclif" merge "$work/h" --repair --quiet >/dev/null 2>"$work/err"
sweep1 "$uclif" sweep --resume -o "$work/h" --quiet >/dev/null 2>"$work/err"
rc=$?; check "--repair, --resume ($(tail -1 "$work/err"))" "$rc"
same3 "$work/h"
check "then the same three files again" $?
# one characterization's trials shared out over the ranks (rank 0 alone writes and prints): the
# same bytes on 1, 2 and 3 ranks
for np in 2 3; do
  $MPIRUN -np $np "$uclif" characterize "$spec" -o "$work/m$np" --no-datasheet >"$work/out$np" \
    2>"$work/err"
  rc=$?; check "characterize on $np ranks ($(tail -1 "$work/err"))" "$rc"
  for f in points.csv rate_curves.csv probability.csv; do
    cmp -s "$work/c1/$f" "$work/m$np/$f"
    check "characterize on 1 and $np ranks: the same $f" $?
  done
  n=$(grep -c "^firing probability (40 trials per amplitude, over $np ranks):" "$work/out$np")
  check "one summary (rank 0's), naming the ranks" $([ "$n" -eq 1 ]; echo $?)
done
# trials that hit the step limit (the noisy search's bracket below threshold: never fires, not a
# failure): the first failed trial (index 15 of the batch, run by rank 1) gives its own reason
# on rank 0 too, and every rank exits 1
{ sed 's/^trials = 40/trials = 5/; s/^rate_curve = .*/rate_curve = 3/' "$spec"
  echo 'threshold = 0.5, 4'; } >"$work/steps.ini"
"$uclif" characterize "$work/steps.ini" -o "$work/s1" --no-datasheet --quiet \
  --set max_steps=350 2>"$work/err1"
rc1=$?
$MPIRUN -np 2 "$uclif" characterize "$work/steps.ini" -o "$work/s2" --no-datasheet --quiet \
  --set max_steps=350 >/dev/null 2>"$work/err2"
rc2=$?
check "failed trials: exit 1 on 1 and 2 ranks ($(head -1 "$work/err1"))" \
  $([ "$rc1" -eq 1 ] && [ "$rc2" -eq 1 ] && grep -q "probability: at .* V, trial .*: step limit" \
    "$work/err1"; echo $?)
cmp -s "$work/s1/points.csv" "$work/s2/points.csv" && \
  cmp -s "$work/s1/probability.csv" "$work/s2/probability.csv"
check "and the same points.csv (its reason) and probability.csv" $?
check "the reason printed once, by rank 0" \
  $([ "$(grep -c '^uclif characterize: probability: at' "$work/err2")" -eq 1 ]; echo $?)
$MPIRUN -np 2 "$uclif" characterize "$spec" --bogus >/dev/null 2>"$work/err"
rc=$?
check "a usage error on 2 ranks: exit 2, printed once" \
  $([ "$rc" -eq 2 ] && [ "$(grep -c "unknown option" "$work/err")" -eq 1 ]; echo $?)
# trials without noise: refused at the key's line, nothing written
grep -v '^jitter.I_GT' "$spec" >"$work/quiet.ini"
line=$(grep -n '^trials' "$work/quiet.ini" | cut -d: -f1)
"$uclif" characterize "$work/quiet.ini" -o "$work/q" --no-datasheet >/dev/null 2>"$work/err"
rc=$?
check "trials without noise: exit 2" $([ "$rc" -eq 2 ]; echo $?)
grep -q "quiet.ini:$line: trials = 40: every trial would be the same: turn on noise.thermal or a jitter.\* key" "$work/err"
rc=$?; check "and the message names the key's line ($(head -1 "$work/err"))" "$rc"
check "and nothing is written" $([ ! -e "$work/q/points.csv" ]; echo $?)
sweep1 "$uclif" sweep "$work/quiet.ini" -o "$work/qs" --quiet >/dev/null 2>"$work/err"
check "a sweep of it too: exit 2" $([ $? -eq 2 ]; echo $?)
# a repeated amplitude is refused at its line (its trials would be counted twice); probability
# without trials is refused; a fit that cannot be made is a failed run (exit 1), files written
sed 's/^probability = .*/probability = 5.2, 5.3, 5.2/' "$spec" >"$work/dup.ini"
line=$(grep -n '^probability' "$work/dup.ini" | cut -d: -f1)
"$uclif" characterize "$work/dup.ini" -o "$work/dup" --no-datasheet >/dev/null 2>"$work/err"
rc=$?
check "a repeated amplitude: exit 2 at its line ($(head -1 "$work/err"))" \
  $([ "$rc" -eq 2 ] && grep -q "dup.ini:$line: probability: 5.2 V comes twice" "$work/err"; echo $?)
sed '/^trials/d; /^jitter.I_GT/d' "$spec" >"$work/notrials.ini"
"$uclif" characterize "$work/notrials.ini" -o "$work/nt" --no-datasheet >/dev/null 2>"$work/err"
rc=$?
check "probability without trials: exit 2 ($(head -1 "$work/err"))" \
  $([ "$rc" -eq 2 ] && grep -q "probability is set but trials is 0" "$work/err"; echo $?)
sed 's/^probability = .*/probability = 5.2/' "$spec" >"$work/one.ini"
"$uclif" characterize "$work/one.ini" -o "$work/one" --no-datasheet >/dev/null 2>"$work/err"
rc=$?
check "one amplitude: the fit is refused, exit 1, files written ($(tail -1 "$work/err"))" \
  $([ "$rc" -eq 1 ] && [ -s "$work/one/probability.csv" ] && [ -s "$work/one/points.csv" ]; echo $?)
finish
