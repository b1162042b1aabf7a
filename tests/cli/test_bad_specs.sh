#!/usr/bin/env bash
# Every malformed spec in tests/specs/bad is refused by `uclif sweep` with exit 2, the message
# its first line expects ("; expect: LINE: text", checked as "FILE:LINE: ...text..."; LINE 0 for
# a message about the whole file), and no output directory. Usage: test_bad_specs.sh UCLIF SRC
set -u
uclif=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
pass=0
fail=0
n=0
for f in "$src"/tests/specs/bad/*.ini; do
  n=$((n + 1))
  expect=$(head -1 "$f" | sed -n 's/^; expect: //p')
  line=${expect%%: *}
  text=${expect#*: }
  # `uclif sweep` starts MPI: no leak detection in it (see tests/mpi/mpi_env.sh)
  env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    "$uclif" sweep "$f" -o "$work/out" --quiet >/dev/null 2>"$work/err"
  rc=$?
  msg=$(cat "$work/err")
  if [ "$line" = "0" ]; then prefix="$f: "; else prefix="$f:$line: "; fi
  if [ $rc -eq 2 ] && [ ! -e "$work/out" ] && case "$msg" in *"$prefix"*"$text"*) true ;; *) false ;; esac; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $(basename "$f"): exit $rc, message: $msg"
    echo "      expected: $prefix...$text"
  fi
done
[ $n -ge 20 ] || { echo "FAIL: only $n malformed specs"; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
