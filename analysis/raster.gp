# Raster plot of a network run: one row per neuron (in spec order, the order of neurons.csv, the
# first at the top), a tick at every spike of events.csv (docs/outputs.md, Networks).
# Usage: gnuplot -e "dir='results/recurrent-ring'; out='ring.svg'; title='...'" analysis/raster.gp
#   dir      the `uclif simulate` output directory holding events.csv and neurons.csv
#   out      .svg (svg terminal) or .png (pngcairo)
#   tmax     optional: the run's duration in ms (the x axis ends there; default: the last spike)
#   zmin, zmax  optional, in ms: a second panel zoomed on this window
# Generated [recurrent] networks (every name A<k> or B<k>) are coloured by synapse set (A blue,
# B red); other networks in one colour. Neurons with the external input are marked '*' on the
# axis. Neurons are found by name through a word list, so this is for networks up to a few
# hundred neurons (beyond that, draw from events.csv with your own tool).
if (!exists("dir") || !exists("out")) { print "raster.gp: set dir='...' and out='...'"; exit status 2 }
if (!exists("title")) { title = "" }
events = dir . "/events.csv"
neurons = dir . "/neurons.csv"
if (system("test -r '" . events . "' && test -r '" . neurons . "'; echo $?") ne "0") {
  print sprintf("raster.gp: %s needs events.csv and neurons.csv (uclif simulate on a network)", dir)
  exit status 2
}
# neuron names in spec order, and whether each has the external input (column 'input')
names = system("tail -n +2 '" . neurons . "' | cut -d, -f1 | tr -d '\"\\r' | tr '\\n' ' '")
inputs = system("tail -n +2 '" . neurons . "' | cut -d, -f3 | tr -d '\"\\r' | tr '\\n' ' '")
n = words(names)
if (n == 0) { print sprintf("raster.gp: %s lists no neurons", neurons); exit status 2 }
sets = (system("tail -n +2 '" . neurons . "' | cut -d, -f1 | tr -d '\"\\r' | grep -cvE '^[AB][0-9]+$'") eq "0")
idx(s) = sum [k = 1:n] ((word(names, k) eq s) ? k : 0)
row(s) = n + 1 - idx(s)
unquote(s) = (strlen(s) >= 2 && s[1:1] eq "\"") ? s[2:strlen(s)-1] : s
colour(s) = (sets && s[1:1] eq "B") ? 0xd62728 : 0x1f77b4
zoom = exists("zmin") && exists("zmax")
panels = zoom ? 2 : 1
h = (n <= 40 ? 14 * n : 560) + 120
if (out[strlen(out)-3:] eq ".png") {
  set terminal pngcairo size 900, panels * h + 40 font "sans,10"
} else {
  set terminal svg size 900, panels * h + 40 font "sans,11" dynamic background "white"
}
set output out
set datafile separator ","
set key off
set grid xtics lc rgb "#dddddd"
set yrange [0.3:n + 0.7]
set ylabel (sets ? "neuron (blue: set A, red: set B; * driven)" : "neuron (* driven)")
if (n <= 40) {
  yfont = (n > 24) ? "sans,8" : "sans,10"
  set ytics () font yfont
  do for [k = 1:n] {
    set ytics add (word(names, k) . ((word(inputs, k) eq "external") ? " *" : "") n + 1 - k)
  }
} else {
  set ytics autofreq
}
set lmargin 12
set rmargin 3
set xlabel "t (ms)"
set multiplot layout panels, 1 title title
if (exists("tmax")) { set xrange [0:tmax] } else { set xrange [0:*] }
do for [p = 1:panels] {
  if (p == 2) { set xrange [zmin:zmax]; set title sprintf("zoom: %g to %g ms", zmin, zmax) }
  plot events using (column(1) * 1e3):(row(unquote(strcol(2))) - 0.35):(0):(0.7):(colour(unquote(strcol(2)))) \
    every ::1 with vectors nohead lw 1.5 lc rgb variable
}
unset multiplot
