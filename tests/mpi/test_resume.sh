#!/usr/bin/env bash
# kill -9 a 2-rank sweep after some points, merge by hand (partial), resume: the result is the
# same bytes as an uninterrupted run, with every point id once. Usage: test_resume.sh UCLIF SRC
set -u
uclif=$1
src=$2
. "$src/tests/mpi/mpi_env.sh"
work=$(mktemp -d)
trap 'kill -9 $job 2>/dev/null; rm -rf "$work"' EXIT
cp "$src/tests/specs/sweep-40.ini" "$work/spec.ini"
sweep1 "$uclif" sweep "$work/spec.ini" -o "$work/ref" --quiet >/dev/null 2>&1
check "uninterrupted run" $?
setsid env "$SWEEP_ENV" ${MPIEXEC:-mpirun} -np 2 "$uclif" sweep "$work/spec.ini" -o "$work/run" --quiet >/dev/null 2>&1 &
job=$!
for _ in $(seq 1 600); do
  n=$(cat "$work"/run/shards/*.txt 2>/dev/null | grep -c '^E ')
  [ "${n:-0}" -ge 6 ] && break
  sleep 0.05
done
kill -9 -- -"$job" 2>/dev/null || kill -9 "$job"
wait "$job" 2>/dev/null
pkill -9 -f "uclif sweep $work/spec.ini" 2>/dev/null
sleep 0.2
done_before=$(cat "$work"/run/shards/*.txt | grep -c '^E ')
check "killed after some points ($done_before of 40)" $([ "$done_before" -ge 6 ] && [ "$done_before" -lt 40 ]; echo $?)
check "no merged files from the killed run" $([ ! -e "$work/run/points.csv" ]; echo $?)
"$uclif" merge "$work/run" >/dev/null 2>"$work/err"
check "merge by hand of a partial sweep exits 1" $([ $? -eq 1 ]; echo $?)
grep -q "points missing" "$work/err"
check "and says what is missing" $?
mkdir -p "$work/empty/shards"
"$uclif" merge "$work/empty" >/dev/null 2>"$work/err"
check "merge of a directory without shards exits 2 and says so" \
  $([ $? -eq 2 ] && grep -q "holds no shards" "$work/err"; echo $?)
check "and writes nothing" $([ -z "$(ls "$work/empty" | grep -v shards)" ]; echo $?)
"$uclif" merge "$work/run" --spec "$work/spec.ini" >/dev/null 2>&1
grep -q "^missing = $((40 - done_before))$" "$work/run/manifest.txt"
check "merge --spec writes a manifest counting the missing points" $?
"$uclif" merge "$work/run" --spec "$src/tests/specs/sweep-small.ini" >/dev/null 2>"$work/err"
check "merge --spec of another spec exits 2" $([ $? -eq 2 ]; echo $?)
grep -q "differs from the spec $work/run was started with" "$work/err"
check "and says so" $?
$MPIRUN -np 2 "$uclif" sweep "$work/spec.ini" -o "$work/run" --resume --quiet >/dev/null 2>&1
check "resume exits 0" $?
grep -q "^done_before_run = $done_before$" "$work/run/manifest.txt"
check "resume skipped the $done_before finished points" $?
for f in points.csv rate_curves.csv; do
  cmp -s "$work/ref/$f" "$work/run/$f"
  check "$f identical to the uninterrupted run" $?
done
ids=$(cut -d, -f1 "$work/run/points.csv" | tail -n +2)
check "40 distinct ids" $([ "$(echo "$ids" | sort -u | wc -l)" -eq 40 ] && [ "$(echo "$ids" | wc -l)" -eq 40 ]; echo $?)
finish
