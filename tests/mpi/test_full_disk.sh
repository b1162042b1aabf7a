#!/usr/bin/env bash
# A full disk (a small tmpfs) during a sweep, during a merge and under `uclif characterize`: the
# message names the file, the system's reason and the command that recovers; nothing
# half-written is left; once space is freed, that command gives the uninterrupted run's bytes.
# Usage: test_full_disk.sh UCLIF SRC. Needs root (mount); exit 77 (skipped) where a tmpfs cannot
# be mounted.
set -u
uclif=$1
src=$2
. "$src/tests/mpi/mpi_env.sh"
work=$(mktemp -d)
fs=$work/fs
mkdir -p "$fs"
trap 'umount "$fs" "$work/fs2" 2>/dev/null; rm -rf "$work"' EXIT
if ! mount -t tmpfs -o size=64k tmpfs "$fs" 2>/dev/null; then
  echo "SKIPPED: cannot mount a tmpfs here (not root, or no permission)"
  exit 77
fi
cp "$src/tests/specs/sweep-40.ini" "$work/spec.ini"
same() {
  cmp -s "$work/ref/points.csv" "$1/points.csv" && cmp -s "$work/ref/rate_curves.csv" "$1/rate_curves.csv"
}
sweep1 "$uclif" sweep "$work/spec.ini" -o "$work/ref" --quiet >/dev/null 2>&1
check "uninterrupted run" $?

# ---- the disk fills while the shards are written (64 kB; the shards need about 124 kB) ----
sweep1 "$uclif" sweep "$work/spec.ini" -o "$fs/a" --quiet >/dev/null 2>"$work/err"
rc=$?
check "a full disk during the sweep exits 1" $([ "$rc" -eq 1 ]; echo $?)
grep -q "$fs/a/shards/run-0-rank-0.txt: write failed: No space left on device; .*run \`uclif sweep --resume -o $fs/a\`" "$work/err"
rc=$?; check "names the shard, the reason and the recovery ($(cat "$work/err"))" "$rc"
check "no merged file" $([ ! -e "$fs/a/points.csv" ] && [ -z "$(ls "$fs/a" | grep tmp)" ]; echo $?)
mount -o remount,size=1m "$fs"
sweep1 "$uclif" sweep --resume -o "$fs/a" --quiet >/dev/null 2>"$work/err"
rc=$?; check "after space is freed, the resume finishes ($(cat "$work/err"))" "$rc"
same "$fs/a"
check "with the uninterrupted run's bytes" $?
rm -rf "$fs/a"

# ---- the disk fills during the sweep's merge (the shards fit in 160 kB, the CSVs do not) ----
mount -o remount,size=160k "$fs"
sweep1 "$uclif" sweep "$work/spec.ini" -o "$fs/b" --quiet >/dev/null 2>"$work/err"
rc=$?
check "a full disk during the sweep's merge exits 1" $([ "$rc" -eq 1 ]; echo $?)
grep -q "$fs/b/[a-z_]*.csv.tmp: write failed: No space left on device; the shards are complete: .*run \`uclif merge $fs/b\`" "$work/err"
rc=$?; check "names the file, the reason and the recovery ($(cat "$work/err"))" "$rc"
check "nothing half-written" $([ -z "$(ls "$fs/b" | grep -E 'csv|tmp')" ]; echo $?)
mount -o remount,size=1m "$fs"
"$uclif" merge "$fs/b" >/dev/null 2>"$work/err"
rc=$?; check "after space is freed, uclif merge recovers ($(cat "$work/err"))" "$rc"
same "$fs/b"
check "with the uninterrupted run's bytes" $?

# ---- the disk fills during `uclif merge` ----
rm "$fs/b/points.csv" "$fs/b/rate_curves.csv"
head -c $(($(df -B1 --output=avail "$fs" | tail -1) - 40000)) /dev/zero >"$fs/filler" 2>/dev/null
"$uclif" merge "$fs/b" >/dev/null 2>"$work/err"
rc=$?
check "a full disk during uclif merge exits 1" $([ "$rc" -eq 1 ]; echo $?)
grep -q "$fs/b/[a-z_]*.csv.tmp: write failed: No space left on device; the shards are untouched: .*run \`uclif merge $fs/b\` again" "$work/err"
rc=$?; check "names the file, the reason and the recovery ($(cat "$work/err"))" "$rc"
check "nothing half-written" $([ -z "$(ls "$fs/b" | grep -E 'csv|tmp')" ]; echo $?)
rm "$fs/filler"
"$uclif" merge "$fs/b" >/dev/null 2>&1
same "$fs/b"
check "after space is freed: the uninterrupted run's bytes" $?

# ---- a command that writes its files once: uclif characterize into a 4 kB tmpfs ----
mkdir -p "$work/fs2"
mount -t tmpfs -o size=4k tmpfs "$work/fs2"
"$uclif" characterize "$src/sweeps/examples/type1-characterize.ini" -o "$work/fs2/c" --quiet 2>"$work/err"
rc=$?
check "characterize on a full disk exits 1" $([ "$rc" -eq 1 ]; echo $?)
grep -q "$work/fs2/c/[a-z_]*.csv.tmp: write failed: No space left on device; .*run the same command again" "$work/err"
rc=$?; check "names the file, the reason and the recovery ($(cat "$work/err"))" "$rc"
check "nothing half-written" $([ -z "$(ls "$work/fs2/c")" ]; echo $?)
finish
