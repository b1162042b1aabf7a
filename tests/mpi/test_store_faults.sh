#!/usr/bin/env bash
# The sweep directory under faults (issue: "sweep directories that cannot wedge or lie"):
#  - kill -9 of the launcher and an immediate --resume, five times in a row (twice when
#    UCL_TEST_REDUCED), then byte-identical CSVs (orphaned ranks may still run: the lock and the
#    fence keep them out);
#  - two concurrent --resume runs into one directory: one refused naming the holder (or waiting
#    with --wait), byte-identical CSVs;
#  - damaged shards (a truncated row, a stray row inside a block, one flipped byte, a block
#    duplicated inside one shard): each named with its file and line by `uclif merge`, never
#    merged, and mended by --resume to identical bytes;
#  - a comment and another key order in the spec resume; a changed value is refused naming the
#    key; `uclif sweep --resume -o DIR` without the spec uses the one DIR keeps;
#  - SIGTERM (alone) and SIGUSR1 (through mpirun): the message, exit 3, an identical resume; a
#    point in flight abandoned after --grace.
# Usage: test_store_faults.sh UCLIF SRC
set -u
uclif=$1
src=$2
. "$src/tests/mpi/mpi_env.sh"
work=$(mktemp -d)
trap 'kill -9 $job 2>/dev/null; pkill -9 -f "$work/" 2>/dev/null; rm -rf "$work"' EXIT
job=
cp "$src/tests/specs/sweep-40.ini" "$work/spec.ini"
blocks() { cat "$1"/shards/*.txt 2>/dev/null | grep -c '^E '; }
same() { # DIR: both CSVs identical to the reference
  cmp -s "$work/ref/points.csv" "$1/points.csv" && cmp -s "$work/ref/rate_curves.csv" "$1/rate_curves.csv"
}
sweep1 "$uclif" sweep "$work/spec.ini" -o "$work/ref" --quiet >/dev/null 2>&1
check "uninterrupted run" $?

# ---- kill -9 of the launcher, then at once --resume: five times ----
# The orphaned ranks of a killed launcher go on until the next run claims the directory: about
# 7 points a round here, so 40 points could be finished before the fifth kill (it was, in CI).
# These rounds run a 100-point sweep, the same points as spec.ini and more, with its own reference.
# Reduced (UCL_TEST_REDUCED, the sanitizer build: the same code paths, tests/run.sh): two rounds
# of the 40-point sweep against its reference (the release build runs the five).
rounds=5
if [ -n "${UCL_TEST_REDUCED:-}" ]; then
  rounds=2
  cp "$work/spec.ini" "$work/spec-k.ini" && cp -r "$work/ref" "$work/ref-k"
  check "reduced: two kill rounds of the 40-point sweep" $?
else
  sed 's/^R1 = lin(40k, 100k, 20)$/R1 = lin(40k, 100k, 50)/' "$work/spec.ini" >"$work/spec-k.ini"
  grep -q '^R1 = lin(40k, 100k, 50)$' "$work/spec-k.ini"
  check "the kill rounds' spec has 100 points" $?
  sweep1 "$uclif" sweep "$work/spec-k.ini" -o "$work/ref-k" --quiet >/dev/null 2>&1
  check "uninterrupted run of the kill rounds' spec" $?
fi
kills=0
for round in $(seq 1 "$rounds"); do
  before=$(blocks "$work/k")
  env "$SWEEP_ENV" ${MPIEXEC:-mpirun} -np 2 "$uclif" sweep "$work/spec-k.ini" -o "$work/k" --resume \
    --wait 60 --quiet >/dev/null 2>>"$work/k.err" &
  job=$!
  # once this run has claimed the directory, no shard of an earlier run may grow (the fence):
  # record their blocks now, compare at the end
  for _ in $(seq 1 1000); do
    case "$(head -1 "$work/k/shards/lock" 2>/dev/null)" in "run $((round - 1)),"*) break ;; esac
    sleep 0.01
  done
  for f in "$work"/k/shards/run-*.txt; do
    r=${f##*/run-}
    r=${r%%-*}
    [ -e "$f" ] && [ "$r" -lt $((round - 1)) ] && echo "$f $(grep -c '^E ' "$f")" >>"$work/fenced"
  done
  for _ in $(seq 1 400); do
    [ "$(blocks "$work/k")" -ge $((before + 3)) ] && break
    kill -0 "$job" 2>/dev/null || break
    sleep 0.02
  done
  kill -9 "$job" 2>/dev/null && kills=$((kills + 1))
  wait "$job" 2>/dev/null
done
check "the launcher killed $rounds times ($kills; $(blocks "$work/k") blocks written)" $([ "$kills" -eq "$rounds" ]; echo $?)
$MPIRUN -np 2 "$uclif" sweep "$work/spec-k.ini" -o "$work/k" --resume --wait 60 >"$work/out" 2>"$work/err"
rc=$?
check "the last resume finishes ($(tail -2 "$work/err"))" "$rc"
cmp -s "$work/ref-k/points.csv" "$work/k/points.csv" && cmp -s "$work/ref-k/rate_curves.csv" "$work/k/rate_curves.csv"
check "after $rounds kills: CSVs identical to the uninterrupted run" $?
grep -q "differ" "$work/err" "$work/k.err"
check "no run met copies that differ" $([ $? -ne 0 ]; echo $?)
grown=0
while read -r f n; do
  [ "$(grep -c '^E ' "$f")" -eq "$n" ] || grown=$((grown + 1))
done <"$work/fenced"
check "no shard of an earlier run grew once a later run held the directory ($(wc -l <"$work/fenced") checked)" \
  $([ -s "$work/fenced" ] && [ "$grown" -eq 0 ]; echo $?)

# ---- two concurrent runs into one directory ----
env "$SWEEP_ENV" "$uclif" sweep "$work/spec.ini" -o "$work/c" --resume --quiet >/dev/null 2>"$work/c1.err" &
job=$!
for _ in $(seq 1 200); do [ -s "$work/c/shards/lock" ] && break; sleep 0.02; done
sweep1 "$uclif" sweep "$work/spec.ini" -o "$work/c" --resume --quiet >/dev/null 2>"$work/c2.err"
rc2=$?
check "a second run into a held directory exits 2" $([ "$rc2" -eq 2 ]; echo $?)
grep -q "is in use by another run (run 0, pid [0-9]* on .* since .*); wait for it to end (\`uclif sweep --wait SECONDS\` waits for it)" "$work/c2.err"
rc=$?; check "and names the holder ($(cat "$work/c2.err"))" "$rc"
sweep1 "$uclif" sweep "$work/spec.ini" -o "$work/c" --resume --wait 120 --quiet >/dev/null 2>"$work/c3.err"
rc3=$?
wait "$job"
rc1=$?
check "with --wait it waits, then finds the work done (exits $rc1 and $rc3)" $([ "$rc1" -eq 0 ] && [ "$rc3" -eq 0 ]; echo $?)
same "$work/c"
check "concurrent runs: CSVs identical" $?

# ---- damaged shards: named by merge, mended by --resume ----
# one shard holds every block (1 rank); blocks are P, 6 C lines, E: 8 lines, after 1 header line
sweep1 "$uclif" sweep "$work/spec.ini" -o "$work/d0" --quiet >/dev/null 2>&1
shard=shards/run-0-rank-0.txt
damage() { # NAME, then a command run in the copy's shards directory
  local name=$1
  shift
  rm -rf "$work/d"
  cp -r "$work/d0" "$work/d"
  rm "$work/d/points.csv" "$work/d/rate_curves.csv"
  (cd "$work/d" && eval "$*")
  "$uclif" merge "$work/d" >"$work/out" 2>"$work/err"
  mrc=$?
}
named() { # NAME, the note expected from merge
  grep -q "$2" "$work/err"
  local rc=$?
  check "$1: named ($(head -1 "$work/err"))" "$rc"
}
mended() { # NAME: --resume without the spec mends it to the uninterrupted run's bytes
  sweep1 "$uclif" sweep --resume -o "$work/d" --quiet >/dev/null 2>"$work/err2"
  local rc=$?
  check "$1: --resume (without the spec) exits 0 ($(cat "$work/err2"))" "$rc"
  same "$work/d"
  check "$1: identical bytes after the resume" $?
}
# a P row cut to 5 fields (point 3: lines 26-33)
damage "truncated row" "gawk -i inplace -F, -v OFS=, 'NR == 26 { NF = 5 } 1' $shard"
check "truncated row: merge exits 1 (point 3 missing)" $([ "$mrc" -eq 1 ]; echo $?)
named "truncated row" "$shard:26-33: point 3's block does not verify"
check "truncated row: never merged" $([ "$(grep -c '^3,' "$work/d/points.csv")" -eq 0 ]; echo $?)
mended "truncated row"
# a stray row inside another point's block (a C row of point 9 inside point 5's)
damage "stray row" "sed -i '45a C9,1,\"ok\"' $shard"
named "stray row" "$shard:42-50: point 5's block does not verify"
mended "stray row"
# one flipped byte in point 7's P row
damage "flipped byte" "printf 'X' | dd of=$shard bs=1 seek=\$(($(head -57 "$work/d0/$shard" | wc -c) + 3)) conv=notrunc status=none"
named "flipped byte" "$shard:58-65: point 7's block does not verify"
mended "flipped byte"
# a damaged tag: point 0's P line becomes an H line (as a layout line would start)
damage "damaged tag" "sed -i '2s/^P/H/' $shard"
check "damaged tag: merge exits 1 (point 0 missing)" $([ "$mrc" -eq 1 ]; echo $?)
named "damaged tag" "$shard:2-9: lines outside any point's block"
mended "damaged tag"
# a damaged first line (its spec hash): the whole shard is damaged, never "another spec"
damage "damaged head" "gawk -i inplace 'NR == 1 { \$3 = (\$3 ~ /^f/ ? \"e\" : \"f\") substr(\$3, 2) } 1' $shard"
named "damaged head" "$shard:1: the shard's first line (format, spec hash, columns) does not verify"
mended "damaged head"
# point 4's block duplicated inside the shard, at its end (out of order)
damage "duplicated block" "sed -n '34,41p' $shard >>$shard"
check "duplicated block: merge exits 0 (point 4 keeps its first copy)" $([ "$mrc" -eq 0 ]; echo $?)
named "duplicated block" "$shard:322-329: point 4's block comes after a higher point"
same "$work/d"
check "duplicated block: CSVs identical" $?
"$uclif" merge "$work/d" --repair >"$work/out" 2>"$work/err"
check "merge --repair sets it aside" $([ $? -eq 0 ] && grep -q "set aside 1" "$work/out" && [ -s "$work/d/set-aside/run-0-rank-0.txt" ]; echo $?)
"$uclif" merge "$work/d" >"$work/out" 2>"$work/err"
check "after --repair: clean, identical" $([ ! -s "$work/err" ] && same "$work/d"; echo $?)

# ---- the spec: by meaning ----
sweep1 "$uclif" sweep "$work/spec.ini" -o "$work/s" --quiet >/dev/null 2>&1
rm "$work/s/points.csv"
printf '; the same sweep: a comment, the sections in another order, 10m written 0.010 s\n[characterize]\nrate_curve = lin(4, 9, 6)\n\n[sweep]\nR1 = lin(40k, 100k, 20)   ; 20 values\nC = 10n, 15n\n[stimulus]\nduration = 0.010\n' >"$work/commented.ini"
sweep1 "$uclif" sweep "$work/commented.ini" -o "$work/s" --resume --quiet >/dev/null 2>"$work/err"
rc=$?; check "a comment and another order resume ($(cat "$work/err"))" "$rc"
same "$work/s"
check "and give the same bytes" $?
sed 's/duration = 10m/duration = 11m/' "$work/spec.ini" >"$work/changed.ini"
sweep1 "$uclif" sweep "$work/changed.ini" -o "$work/s" --resume --quiet >/dev/null 2>"$work/err"
check "a changed value exits 2" $([ $? -eq 2 ]; echo $?)
grep -q "stimulus.duration differs from the spec $work/s was started with (0.01 then, 0.010999999999999999 now)" "$work/err"
rc=$?; check "and names the key ($(cat "$work/err"))" "$rc"
cmp -s "$work/spec.ini" "$work/s/spec.ini"
check "DIR keeps the spec it was started with" $?

# ---- signals ----
env "$SWEEP_ENV" "$uclif" sweep "$work/spec.ini" -o "$work/t" >/dev/null 2>"$work/err" &
job=$!
for _ in $(seq 1 400); do [ "$(blocks "$work/t")" -ge 5 ] && break; sleep 0.02; done
kill -TERM "$job"
wait "$job"
rc=$?
check "SIGTERM: exit 3" $([ "$rc" -eq 3 ]; echo $?)
grep -q "stopped by SIGTERM after [0-9]* of 40 points .*resume with \`uclif sweep --resume -o $work/t\`" "$work/err"
rc=$?; check "SIGTERM: says how far and how to resume ($(tail -1 "$work/err"))" "$rc"
check "SIGTERM: no merged files" $([ ! -e "$work/t/points.csv" ]; echo $?)
sweep1 "$uclif" sweep --resume -o "$work/t" --quiet >/dev/null 2>&1
same "$work/t"
check "SIGTERM: the resume gives identical bytes" $?
env "$SWEEP_ENV" ${MPIEXEC:-mpirun} -np 2 "$uclif" sweep "$work/spec.ini" -o "$work/u" --quiet >/dev/null 2>"$work/err" &
job=$!
for _ in $(seq 1 400); do [ "$(blocks "$work/u")" -ge 5 ] && break; sleep 0.02; done
kill -USR1 "$job"
wait "$job"
rc=$?
check "SIGUSR1 through mpirun: exit 3" $([ "$rc" -eq 3 ]; echo $?)
grep -q "stopped by SIGUSR1" "$work/err"
check "SIGUSR1: the message" $?
$MPIRUN -np 2 "$uclif" sweep --resume -o "$work/u" --quiet >/dev/null 2>&1
same "$work/u"
check "SIGUSR1: the resume gives identical bytes" $?
# a point that takes long (C = 1e-30 F: about 10 s) is abandoned once the grace time is over
env "$SWEEP_ENV" "$uclif" sweep "$src/sweeps/examples/type1-characterize.ini" --set C=1e-30 \
  -o "$work/g" --grace 1 --quiet >/dev/null 2>"$work/err" &
job=$!
sleep 1
t0=$(date +%s)
kill -TERM "$job"
wait "$job"
rc=$?
t1=$(date +%s)
check "a long point abandoned after --grace 1: exit 3 within 5 s ($((t1 - t0)) s)" $([ "$rc" -eq 3 ] && [ $((t1 - t0)) -le 5 ]; echo $?)
grep -q "0 of 1 points (0 in this run, 1 in flight abandoned after the grace time)" "$work/err"
rc=$?; check "and says so ($(cat "$work/err"))" "$rc"
check "the abandoned point is no row" $([ "$(grep -c '^E ' "$work/g/shards/run-0-rank-0.txt")" -eq 0 ]; echo $?)
finish
