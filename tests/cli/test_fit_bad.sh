#!/usr/bin/env bash
# `uclif fit` on bad data and a bad spec (docs/fit.md "Checks"): each is refused with exit 2, one
# message "FILE:LINE: what" naming the problem, and nothing written: the -o directory is not even
# created (nor its parent), and an existing one stays empty. Cases: a missing column, time not
# increasing, NaN, mV data declared V (by its values, and by a header naming its unit), a
# recording shorter than the duration it claims, a bad key in [fit] and in [recording.NAME]; the
# last case once more on 2 MPI ranks. Tiny CSVs written into a temporary folder.
# Usage: test_fit_bad.sh UCLIF SOURCE_DIR
set -u
uclif=$1
src=$2
. "$src/tests/check.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# `uclif fit` starts MPI: no leak detection in it (see tests/mpi/mpi_env.sh)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

spec="$work/spec.ini"
data="$work/data.csv"
write_spec() { # $1: extra lines appended
  cat >"$spec" <<EOF
[recording.r]
file = data.csv
V_mem_V = Vm
duration = 40u
$1
[fit.free]
R_in = 1k, 100k
EOF
}
good='t_s,Vm\n0,1\n1e-5,1.1\n2e-5,1.2\n3e-5,1.1\n'

# expect NAME CSV(printf format) WANT(prefix and text: "FILE:LINE: ...text") [LAUNCH...]
expect() {
  local name=$1 csv=$2 file=${3%%|*} text=${3#*|}
  shift 3
  printf "$csv" >"$data"
  rm -rf "$work/out" "$work/kept"
  "$@" "$uclif" fit "$spec" -o "$work/out/sub" >"$work/stdout" 2>"$work/err"
  local rc=$?
  local msg
  msg=$(cat "$work/err")
  check "$name: exit 2 (got $rc: $msg)" $([ $rc -eq 2 ]; echo $?)
  check "$name: message '$file ...$text' (got: $msg)" \
    $(case "$msg" in *"uclif fit: $file"*"$text"*) echo 0 ;; *) echo 1 ;; esac)
  # (mpirun adds its own lines about the exit status)
  check "$name: one message ($(grep -c '^uclif fit:' "$work/err") lines)" \
    $([ "$(grep -c '^uclif fit:' "$work/err")" -eq 1 ]; echo $?)
  check "$name: no output directory" $([ ! -e "$work/out" ]; echo $?)
  check "$name: nothing on stdout" $([ ! -s "$work/stdout" ]; echo $?)
  # an existing output directory stays empty
  mkdir "$work/kept"
  "$@" "$uclif" fit "$spec" -o "$work/kept" >/dev/null 2>&1
  rc=$?
  check "$name: existing -o: exit 2 and still empty" \
    $([ $rc -eq 2 ] && [ -z "$(ls -A "$work/kept")" ]; echo $?)
}

write_spec ""
# the good case runs (so that the refusals below are about the one thing each breaks)
printf "$good" >"$data"
"$uclif" fit "$spec" -o "$work/ok" --quiet >/dev/null 2>"$work/err"
rc=$?
check "the good spec fits ($(cat "$work/err"))" $([ $rc -eq 0 ] && [ -s "$work/ok/fit.txt" ]; echo $?)

expect "missing column" 't_s,V_m\n0,1\n1e-5,1.1\n2e-5,1.2\n3e-5,1.1\n' \
  "$data:1: |no column 'Vm' (for V_mem_V)"
expect "time not increasing" 't_s,Vm\n0,1\n1e-5,1.1\n1e-5,1.2\n3e-5,1.1\n' \
  "$data:4: |time must increase strictly"
expect "time going back" 't_s,Vm\n0,1\n2e-5,1.1\n1e-5,1.2\n3e-5,1.1\n' \
  "$data:4: |time must increase strictly"
expect "NaN" 't_s,Vm\n0,1\n1e-5,1.1\n2e-5,NaN\n3e-5,1.1\n' \
  "$data:4: |'NaN' in column 'Vm' (V_mem_V) is not a finite number"
expect "empty field" 't_s,Vm\n0,1\n1e-5,\n2e-5,1.2\n3e-5,1.1\n' \
  "$data:3: |empty field in column 'Vm' (V_mem_V)"
expect "mV data declared V" 't_s,Vm\n0,1\n1e-5,1.1\n2e-5,-65\n3e-5,-64\n' \
  "$data:4: |outside the range ±10 V (values reach 65 V with unit V: is the unit mV?)"
expect "header in mV declared V" 't_s,Vm [mV]\n0,1\n1e-5,1.1\n2e-5,1.2\n3e-5,1.1\n' \
  "$data:1: |names the unit mV but V_mem_V.unit is V"
expect "shorter than its duration" 't_s,Vm\n0,1\n1e-5,1.1\n2e-5,1.2\n' \
  "$data:4: |the recording is shorter than its stimulus"

# bad spec keys: the spec's own line
write_spec ""
printf '[fit]\nstarts = 4\nsmoothness = 3\n' >>"$spec"
expect "unknown key in [fit]" "$good" "$spec:10: |unknown key 'smoothness' in [fit]"
write_spec "V_mem_V.colour = red"
expect "unknown key in [recording.r]" "$good" "$spec:5: |V_mem_V.colour"
write_spec ""
printf '[fit.bounds]\nR_in = 1, 2\n' >>"$spec"
expect "unknown section [fit.bounds]" "$good" "$spec:8: |unknown section [fit.bounds]"

# on 2 ranks: the same refusal, printed once
mpi=${MPIEXEC:-mpirun}
if command -v "$mpi" >/dev/null 2>&1; then
  write_spec ""
  expect "NaN on 2 ranks" 't_s,Vm\n0,1\n1e-5,1.1\n2e-5,NaN\n3e-5,1.1\n' \
    "$data:4: |'NaN' in column 'Vm'" "$mpi" -np 2
else
  echo "($mpi not found: the 2-rank case is skipped)"
fi
finish
