#!/usr/bin/env bash
# Reproduce the paper's waveform figures (Rozenberg, Schneegans & Stoliar, Sci. Rep. 2019) from
# `uclif simulate` runs, drawn by gnuplot (analysis/waveforms.gp):
#   Fig. 2  sweeps/paper/fig2-type1-staircase.ini  -> OUTDIR/fig2-type1-staircase.{svg,png}
#   Fig. 3  sweeps/paper/fig3-type2-adaptation.ini -> OUTDIR/fig3-type2-adaptation.{svg,png}
#   Fig. 4  sweeps/paper/fig4-network.ini           -> OUTDIR/fig4-network.{svg,png}
# with the simulations' waveform.csv and events.csv in OUTDIR/<name>/.
# Usage: analysis/paper-figures.sh UCLIF OUTDIR     (e.g. build/release/uclif results)
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: analysis/paper-figures.sh UCLIF OUTDIR" >&2
  exit 2
fi
uclif=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
if ! command -v gnuplot >/dev/null; then
  echo "paper-figures.sh: gnuplot not found (Debian package gnuplot-nox)" >&2
  exit 2
fi
mkdir -p "$out"
# name, figure layout, sample interval (fine enough for the ~12 us output spikes), title
while read -r name fig dt title; do
  "$uclif" simulate "$src/sweeps/paper/$name.ini" --sample "$dt" --out "$out/$name" --quiet
  for ext in svg png; do
    gnuplot -e "csv='$out/$name/waveform.csv'; out='$out/$name.$ext'; fig=$fig; title='$title'" \
      "$here/waveforms.gp"
  done
  echo "wrote $out/$name.svg and $out/$name.png"
done <<'FIGS'
fig2-type1-staircase 2 5u Fig. 2: type I neuron, 10 us pulses every 100 us, amplitude 2 V to 7 V in 0.5 V steps
fig3-type2-adaptation 3 2u Fig. 3: type II neuron (R7 = 100 kOhm, C2 = 22 nF), 7 V pulses in 30 ms bursts
fig4-network 4 2u Fig. 4: N1 (type II, C2 = 100 nF) and N2 (type I) drive N3 (type I) through 6.8 kOhm synapses
FIGS
