# Stacked waveform panels from a `uclif simulate` waveform.csv, in the layout of the paper's
# figures (Rozenberg, Schneegans & Stoliar, Sci. Rep. 2019):
#   fig = 2: input, membrane V_mem, output           (Fig. 2, type I neuron)
#   fig = 3: input, V_C1 (= V_mem), V_C2, output     (Fig. 3, type II neuron, adaptation)
#   fig = 4: N1's V_C2 and output, N2's output, N3's V_mem and output (Fig. 4, the network;
#            a network waveform.csv names its columns NEURON.CHANNEL)
# Usage: gnuplot -e "csv='results/fig2/waveform.csv'; out='fig2.svg'; fig=2; title='...'" \
#          analysis/waveforms.gp
# The output's extension picks the terminal: .svg (svg) or .png (pngcairo). Columns are found by
# name, so a waveform.csv with other columns around them works too.
if (!exists("csv") || !exists("out")) { print "waveforms.gp: set csv='...' and out='...'"; exit status 2 }
if (!exists("fig")) { fig = 2 }
if (!exists("title")) { title = "" }
panels = (fig == 4) ? 5 : ((fig == 3) ? 4 : 3)
if (out[strlen(out)-3:] eq ".png") {
  set terminal pngcairo size 900, 220 * panels + 60 font "sans,10"
} else {
  set terminal svg size 900, 220 * panels + 60 font "sans,11" dynamic background "white"
}
set output out
set datafile separator ","
# The header's names, to find the columns by name.
header = system("head -1 '" . csv . "' | tr -d '\"\\r' | tr ',' ' '")
col(name) = sum [k = 1:words(header)] ((word(header, k) eq name) ? k : 0)
set multiplot layout panels, 1 title title
set lmargin 10
set rmargin 3
set grid lc rgb "#dddddd"
set autoscale xfix
set key off
set format x ""
unset xlabel
array names[5]
array labels[5]
array colours[5]
names[1] = "V_in_V";   labels[1] = "input (V)";  colours[1] = "#555555"
names[2] = "V_mem_V";  labels[2] = (fig == 3) ? "V_{C1} (V)" : "V_{mem} (V)"; colours[2] = "#1f77b4"
names[3] = (fig == 3) ? "V_C2_V" : "V_out_V"
labels[3] = (fig == 3) ? "V_{C2} (V)" : "output (V)"
colours[3] = (fig == 3) ? "#2ca02c" : "#d62728"
names[4] = "V_out_V";  labels[4] = "output (V)"; colours[4] = "#d62728"
if (fig == 4) {
  names[1] = "N1.V_C2_V";  labels[1] = "N1 V_{C2} (V)";  colours[1] = "#2ca02c"
  names[2] = "N1.V_out_V"; labels[2] = "N1 out (V)";     colours[2] = "#9467bd"
  names[3] = "N2.V_out_V"; labels[3] = "N2 out (V)";     colours[3] = "#ff7f0e"
  names[4] = "N3.V_mem_V"; labels[4] = "N3 V_{mem} (V)"; colours[4] = "#1f77b4"
  names[5] = "N3.V_out_V"; labels[5] = "N3 out (V)";     colours[5] = "#d62728"
}
do for [p = 1:panels] {
  if (col(names[p]) == 0) { print sprintf("waveforms.gp: %s has no column %s", csv, names[p]); exit status 2 }
  if (p == panels) { set format x "%g"; set xlabel "t (ms)"; set bmargin 3 } else { set bmargin 0.5 }
  set tmargin (p == 1) ? 2 : 0.5
  set ylabel labels[p]
  plot csv using (column(1) * 1e3):(column(col(names[p]))) every ::1 with lines lw 1 lc rgb colours[p]
}
unset multiplot
