#!/usr/bin/env bash
# The main job on this machine: build uclif; run the characterization sweep
# sweeps/examples/quick-map.ini (49 points) on all local cores with MPI, ending in merged
# results/quick-map/{points,rate_curves}.csv and manifest.txt; then simulate and draw the paper's
# Figs. 2, 3 and 4 (analysis/paper-figures.sh: SVG and PNG; Fig. 4 is the three-neuron network,
# whose per-neuron table goes into the summary), and write the sweep's HTML report
# (results/quick-map/report/index.html). Writes results/summary.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DUCL_BUILD_TESTS=OFF >/dev/null
cmake --build build/release -j"$(nproc)" --target uclif_cli
mkdir -p results
rm -rf results/quick-map
UCLIF=build/release/uclif bash jobs/sweep-local.sh sweeps/examples/quick-map.ini results/quick-map \
  | tee results/quick-map.log
build/release/uclif report results/quick-map | tee results/quick-map-report.log
bash analysis/paper-figures.sh build/release/uclif results
{
  echo "== characterization sweep (results/quick-map); report: results/quick-map/report/index.html"
  cat results/quick-map.log
  cat results/quick-map/manifest.txt
  echo
  echo "threshold_V by R1 (rows) and C (columns):"
  gawk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { gsub(/"/, "", $i); col[$i] = i } next }
           { r = $col["R1"]; c = $col["C"]; v[r "," c] = $col["threshold_V"]; rs[r] = 1; cs[c] = 1 }
           END { n = asorti(cs, cc, "@ind_num_asc"); m = asorti(rs, rr, "@ind_num_asc");
                 printf "%10s", "R1 \\ C"; for (j = 1; j <= n; j++) printf " %9.3g", cc[j]; print "";
                 for (i = 1; i <= m; i++) { printf "%10.3g", rr[i];
                   for (j = 1; j <= n; j++) printf " %9.4g", v[rr[i] "," cc[j]]; print "" } }' \
    results/quick-map/points.csv
  echo
  echo "== paper figures: results/fig2-type1-staircase.{svg,png}, results/fig3-type2-adaptation.{svg,png},"
  echo "   results/fig4-network.{svg,png} (their waveforms and events in results/<name>/)"
  echo
  echo "Fig. 4 network, per neuron (results/fig4-network/neurons.csv):"
  gawk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { gsub(/"/, "", $i); col[$i] = i } next }
           { gsub(/"/, ""); printf "  %-4s %-6s %4d spikes  first-ISI rate %7.1f Hz  steady rate %7.1f Hz\n",
             $col["neuron"], $col["type"], $col["spikes"], $col["rate_first_isi_Hz"], $col["rate_steady_Hz"] }' \
    results/fig4-network/neurons.csv
} >results/summary.txt
cat results/summary.txt
