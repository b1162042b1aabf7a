#!/usr/bin/env bash
# Simulate the recurrent examples and draw their raster plots (analysis/raster.gp):
#   sweeps/examples/recurrent-ring.ini   -> OUTDIR/recurrent-ring.{svg,png}
#   sweeps/examples/recurrent-random.ini -> OUTDIR/recurrent-random.{svg,png}
# with each simulation's events.csv, neurons.csv and a coarse waveform.csv (every 50 us: enough
# to see that the SCRs stay on after the network latches up) in OUTDIR/<name>/.
# Usage: analysis/recurrent-figures.sh UCLIF OUTDIR     (e.g. build/release/uclif results)
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: analysis/recurrent-figures.sh UCLIF OUTDIR" >&2
  exit 2
fi
uclif=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
if ! command -v gnuplot >/dev/null; then
  echo "recurrent-figures.sh: gnuplot not found (Debian package gnuplot-nox)" >&2
  exit 2
fi
mkdir -p "$out"
# name, duration (ms, the x axis), zoom window (ms), title
while read -r name tmax zmin zmax title; do
  "$uclif" simulate "$src/sweeps/examples/$name.ini" --sample 50u --out "$out/$name" --quiet
  for ext in svg png; do
    gnuplot -e "dir='$out/$name'; out='$out/$name.$ext'; tmax=$tmax; zmin=$zmin; zmax=$zmax; title='$title'" \
      "$here/raster.gp"
  done
  echo "wrote $out/$name.svg and $out/$name.png"
done <<'FIGS'
recurrent-ring 3 0.78 1.0 Ring of 12 type I neurons (2.7 kOhm diode synapses, A1 driven): the spike goes round, then the ring latches up (every SCR on)
recurrent-random 4 0.7 1.6 Random network, 20 neurons, fan-in 4 with autapses, half driven: the undriven are recruited, then the network latches up
FIGS
