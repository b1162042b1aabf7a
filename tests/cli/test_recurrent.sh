#!/usr/bin/env bash
# The recurrent examples end to end (sweeps/examples/recurrent-*.ini through
# analysis/recurrent-figures.sh): the ring's spike goes round in ring order and the ring then
# latches up (every SCR on at the end); the random network recruits every undriven neuron and
# then latches up; both raster plots are drawn as non-empty SVG and PNG; a bad [recurrent]
# section exits 2 naming file:line with nothing written.
# Usage: test_recurrent.sh UCLIF SRC
set -u
uclif=$(readlink -f "$1")
src=$(readlink -f "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$src/tests/check.sh"
bash "$src/analysis/recurrent-figures.sh" "$uclif" "$work/out" >"$work/log" 2>&1
rc=$?; check "recurrent-figures.sh exits 0 ($(tail -3 "$work/log"))" "$rc"
ring="$work/out/recurrent-ring"
rnd="$work/out/recurrent-random"
# first spike time of each neuron, in spec order (neurons.csv's latency_s is the first spike)
firsts() { tr -d '\r"' <"$1/neurons.csv" | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "latency_s") c = i } NR > 1 { print $1, $5, $c }'; }
firsts "$ring" >"$work/ring.txt"
check "ring: 12 neurons" $([ "$(wc -l <"$work/ring.txt")" -eq 12 ]; echo $?)
check "ring: every neuron fires" $(awk '$2 < 1 { bad = 1 } END { exit bad }' "$work/ring.txt"; echo $?)
# round the ring: A1 first, each next neuron's first spike 5 to 30 us after its predecessor's
awk 'NR > 1 { d = $3 - prev; if (!(d > 5e-6 && d < 30e-6)) bad = 1 } { prev = $3 } END { exit bad }' "$work/ring.txt"
rc=$?; check "ring: first spikes in ring order, 5-30 us apart ($(awk '{ printf "%s ", $3 }' "$work/ring.txt"))" "$rc"
grep -q '^"A1","type1","external",1,' "$ring/neurons.csv" && grep -q '^"A2","type1","none",1,' "$ring/neurons.csv"
check "ring: A1 driven, the others not, fan-in 1" $?
# latch-up (docs/model.md N5): at the end every SCR is on, so A1 stops firing though driven
on_at_end() { tail -1 "$1/waveform.csv" | awk -F, -v h="$(head -1 "$1/waveform.csv")" 'BEGIN { n = split(h, c, ",") } { for (i = 1; i <= n; i++) if (c[i] ~ /scr_on/) { k++; on += $i } } END { print on "/" k }'; }
v=$(on_at_end "$ring"); check "ring latches up: SCRs on at the end $v" $([ "${v%/*}" = "${v#*/}" ] && [ "${v#*/}" = 12 ]; echo $?)
firsts "$rnd" >"$work/rnd.txt"
check "random: 20 neurons" $([ "$(wc -l <"$work/rnd.txt")" -eq 20 ]; echo $?)
n_b=$(grep -c '^B' "$work/rnd.txt")
check "random: set B is 5 neurons ($n_b)" $([ "$n_b" -eq 5 ]; echo $?)
undriven=$(grep -c '^"[AB][0-9]*","type1","none",4,' "$rnd/neurons.csv")
check "random: 10 undriven neurons, fan-in 4 ($undriven)" $([ "$undriven" -eq 10 ]; echo $?)
silent=$(awk '$2 < 1' "$work/rnd.txt" | wc -l)
check "random: every neuron fires, the undriven recruited ($silent silent)" $([ "$silent" -eq 0 ]; echo $?)
v=$(on_at_end "$rnd"); check "random latches up: SCRs on at the end $v" $([ "${v%/*}" = "${v#*/}" ] && [ "${v#*/}" = 20 ]; echo $?)
for n in recurrent-ring recurrent-random; do
  f="$work/out/$n.svg"
  check "$n.svg is an SVG document" $(grep -q "<svg" "$f" && grep -q "</svg>" "$f"; echo $?)
  # one tick per spike: the file grows with the spikes drawn (twice: whole run and zoom)
  ticks=$(grep -c "<path" "$f")
  check "$n.svg draws its spikes ($ticks paths, $(wc -c <"$f") bytes)" $([ "$ticks" -ge 30 ]; echo $?)
  check "$n.png is a PNG ($(wc -c <"$work/out/$n.png") bytes)" \
    $(head -c 8 "$work/out/$n.png" | od -An -c | grep -q "P   N   G" && [ "$(wc -c <"$work/out/$n.png")" -gt 10000 ]; echo $?)
done
check "the random raster colours set B red" $(grep -qi "d62728\|rgb(214, *39, *40)" "$work/out/recurrent-random.svg"; echo $?)
check "the ring raster has no set B" $(! grep -qi "d62728\|rgb(214, *39, *40)" "$work/out/recurrent-ring.svg"; echo $?)
# raster.gp refuses a directory without a network's files
gnuplot -e "dir='$work'; out='$work/x.svg'" "$src/analysis/raster.gp" >"$work/err" 2>&1
check "raster.gp without events.csv exits non-zero" $([ $? -ne 0 ]; echo $?)
check "and says what it needs" $(grep -q "needs events.csv and neurons.csv" "$work/err"; echo $?)
# a bad [recurrent] section: exit 2, file:line, nothing written
printf '[stimulus]\nduration = 1m\n[recurrent]\ntopology = random\nneurons = 4\nfan_in = 4\n' >"$work/bad.ini"
"$uclif" simulate "$work/bad.ini" --out "$work/bad" >/dev/null 2>"$work/err"
check "fan_in > N - 1 exits 2" $([ $? -eq 2 ]; echo $?)
grep -qF "$work/bad.ini:6: [recurrent] fan_in 4 exceeds the 3 possible sources" "$work/err"
rc=$?; check "names file:line ($(cat "$work/err"))" "$rc"
check "nothing written" $([ ! -e "$work/bad" ]; echo $?)
# a generated synapse is overridable by name: cutting A12 -> A1 (S12) opens the ring into a chain,
# which carries each of A1's spikes to A12 (4 in 3 ms) and never latches up
"$uclif" simulate "$src/sweeps/examples/recurrent-ring.ini" --set S12.R=100meg --sample 50u \
  --out "$work/open" --quiet
check "the ring opened at S12 runs" $?
firsts "$work/open" >"$work/open.txt"
check "the open ring carries 4 spikes down the chain ($(awk '{ printf "%s ", $2 }' "$work/open.txt"))" \
  $(awk '$2 != 4 { bad = 1 } END { exit bad }' "$work/open.txt"; echo $?)
v=$(on_at_end "$work/open"); check "an open ring does not latch up: SCRs on at the end $v" $([ "${v%/*}" = 0 ]; echo $?)
finish
