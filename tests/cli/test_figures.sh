#!/usr/bin/env bash
# analysis/paper-figures.sh and analysis/waveforms.gp: both paper figures are drawn as non-empty
# SVG and PNG from fresh simulations; a waveform without a needed column is a clear error.
# Usage: test_figures.sh UCLIF SRC
set -u
uclif=$(readlink -f "$1")
src=$(readlink -f "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$src/tests/check.sh"
bash "$src/analysis/paper-figures.sh" "$uclif" "$work/out" >"$work/log" 2>&1
check "paper-figures.sh exits 0" $?
for n in fig2-type1-staircase fig3-type2-adaptation fig4-network; do
  f="$work/out/$n.svg"
  check "$n.svg is an SVG document" $(grep -q "<svg" "$f" && grep -q "</svg>" "$f"; echo $?)
  # a drawn trace is a long path: the file holds far more than axes and labels
  check "$n.svg holds the traces ($(wc -c <"$f") bytes)" $([ "$(wc -c <"$f")" -gt 200000 ]; echo $?)
  check "$n.png is a PNG" $(head -c 8 "$work/out/$n.png" | od -An -c | grep -q "P   N   G"; echo $?)
done
check "Fig. 3 is drawn in its own layout (V_C1 panel)" \
  $(grep -q "C1" "$work/out/fig3-type2-adaptation.svg"; echo $?)
check "Fig. 4 is drawn in its own layout (N3 panel)" \
  $(grep -q "N3" "$work/out/fig4-network.svg"; echo $?)
# a type I waveform has no V_C2 column: the Fig. 3 layout refuses it by name
gnuplot -e "csv='$work/out/fig2-type1-staircase/waveform.csv'; out='$work/x.svg'; fig=3" \
  "$src/analysis/waveforms.gp" >"$work/err" 2>&1
check "a missing column exits non-zero" $([ $? -ne 0 ]; echo $?)
check "and names it" $(grep -q "no column V_C2_V" "$work/err"; echo $?)
bash "$src/analysis/paper-figures.sh" "$uclif" >/dev/null 2>&1
check "paper-figures.sh without OUTDIR exits 2" $([ $? -eq 2 ]; echo $?)
finish
