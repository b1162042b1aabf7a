#!/usr/bin/env bash
# Make an independent "bench" recording with ngspice from the hand-written two-transistor SCR
# neuron neuron2t.cir (beside this script; see README.md).
#
# Usage: make-recording.sh OUT.csv
#
# Writes OUT.csv with the header t_s,V_in_V,V_mem_V,V_out_V and one row every 10 us exactly,
# t = k * 10 us for k = 0 .. 3000 (0-30 ms): v(in), v(m) and v(out) of the netlist. ngspice
# runs the transient with steps of at most 0.2 us (reltol 1e-5, in the netlist) and
# `linearize` interpolates the vectors onto the 10 us grid (TSTEP of the `tran` line); times
# are written from the sample index, voltages with 1 uV resolution. Deterministic: the same
# ngspice gives the same bytes (no seed, no clock; ngspice runs with -n, without any
# .spiceinit). Installs ngspice through scripts/ensure-deps.sh if it is missing.
# Exit status: 0 written; 1 ngspice failed or its data is not the expected grid (OUT.csv is
# then not written); 2 bad usage.
set -euo pipefail
if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: make-recording.sh OUT.csv" >&2
  exit 2
fi
out=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
command -v ngspice >/dev/null || bash "$root/scripts/ensure-deps.sh" ngspice
command -v ngspice >/dev/null || { echo "make-recording.sh: ngspice is not installed" >&2; exit 1; }

dt=10u      # sample interval (the recording's grid)
tstop=30m   # recording length: 200 pulses (20 ms) and 10 ms of rest
tmax=0.2u   # largest ngspice time step
rows=3001   # tstop / dt + 1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# the netlist without its .end, then the control block
sed '/^\.end[[:space:]]*$/d' "$here/neuron2t.cir" >"$work/run.cir"
cat >>"$work/run.cir" <<CTRL
.control
set noaskquit
set numdgt=15
set wr_singlescale
set wr_vecnames
save v(in) v(m) v(out)
tran $dt $tstop 0 $tmax
linearize v(in) v(m) v(out)
wrdata $work/data.txt v(in) v(m) v(out)
quit 0
.endc
.end
CTRL
if ! (cd "$work" && ngspice -b -n run.cir >"$work/log.txt" 2>&1) ||
  grep -qiE "^error|fatal|timestep too small|singular" "$work/log.txt" || [ ! -s "$work/data.txt" ]; then
  echo "make-recording.sh: ngspice failed; its log:" >&2
  cat "$work/log.txt" >&2
  exit 1
fi
# data.txt: a header line, then time v(in) v(m) v(out). Check the grid, write the CSV.
if ! awk -v rows=$rows 'NR == 1 { next }
  {
    k = NR - 2
    t = k * 1e-5
    if ($1 - t > 1e-12 || t - $1 > 1e-12) { printf "row %d: time %s is not %g\n", k, $1, t > "/dev/stderr"; bad = 1; exit 1 }
    printf "%.5f", t
    for (i = 2; i <= 4; i++) { v = sprintf("%.6f", $i); if (v == "-0.000000") v = "0.000000"; printf ",%s", v }
    printf "\n"
  }
  END { if (!bad && NR - 1 != rows) { printf "%d rows, expected %d\n", NR - 1, rows > "/dev/stderr"; exit 1 } }
  BEGIN { print "t_s,V_in_V,V_mem_V,V_out_V" }' "$work/data.txt" >"$work/out.csv"; then
  echo "make-recording.sh: ngspice's data is not the 10 us grid" >&2
  exit 1
fi
mv "$work/out.csv" "$out"
