#!/usr/bin/env bash
# Black-box tests of networks from the command line: the shipped Fig. 4 example (N3 fires only
# with N1 and N2 together), per-neuron overrides, waveforms, coupled = partitioned, characterize,
# a generated layered network, network sweeps over MPI (1 and 2 ranks), and bad input (exit 2,
# file:line, nothing written).
# Usage: test_network.sh UCLIF SOURCE_DIR
set -u
uclif=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$src/tests/mpi/mpi_env.sh" # check/finish, and MPI as root for the network sweeps
fig4="$src/sweeps/paper/fig4-network.ini"
n3() { awk -F, '$1 == "\"N3\"" { print $5 }' "$1/neurons.csv"; }

"$uclif" simulate "$fig4" --out "$work/f4" >"$work/stdout" 2>"$work/stderr"
rc=$?; check "fig4 simulate exits 0 ($(cat "$work/stderr"))" "$rc"
check "events.csv and neurons.csv written" $([ -s "$work/f4/events.csv" ] && [ -s "$work/f4/neurons.csv" ]; echo $?)
check "no waveform without --sample" $([ ! -e "$work/f4/waveform.csv" ]; echo $?)
check "neurons.csv: header + 3 rows" $([ "$(wc -l <"$work/f4/neurons.csv")" -eq 4 ]; echo $?)
head -1 "$work/f4/neurons.csv" | grep -q '^"neuron","type","input","fan_in","spikes","rate_Hz",'
check "neurons.csv header" $?
both=$(n3 "$work/f4")
check "N3 fires with N1 and N2 ($both spikes)" $([ "${both:-0}" -ge 6 ]; echo $?)
grep -q '^"N3","type1","none",2,' "$work/f4/neurons.csv"
check "N3: type1, no external input, fan-in 2" $?
tr -d '\r' <"$work/f4/events.csv" | awk -F, 'NR > 2 && $1 < prev { bad = 1 } NR > 1 { prev = $1 } END { exit bad }'
check "events.csv in time order" $?
grep -q "^network: 3 neurons, 2 synapses" "$work/stdout"
check "summary" $?

"$uclif" simulate "$fig4" --set N1.amplitude=0 --out "$work/n2only" --quiet
check "N2 alone: N3 silent" $([ "$(n3 "$work/n2only")" = 0 ]; echo $?)
"$uclif" simulate "$fig4" --set N2.amplitude=0 --out "$work/n1only" --quiet
check "N1 alone: N3 silent" $([ "$(n3 "$work/n1only")" = 0 ]; echo $?)
# a synapse override reaches the run: with S1 at 1 MOhm, N1 (silent or not) hardly loads N3's
# input node, and N2 alone then drives N3 harder than the resistive average did
"$uclif" simulate "$fig4" --set S1.R=1meg --out "$work/s1" --quiet
check "--set S1.R=1meg changes N3 ($(n3 "$work/s1") vs $both spikes)" $([ "$(n3 "$work/s1")" != "$both" ]; echo $?)

"$uclif" simulate "$fig4" --integration coupled --out "$work/coupled" --quiet
check "coupled integration exits 0" $?
for n in N1 N2 N3; do
  a=$(grep -c "\"$n\"" "$work/f4/events.csv"); b=$(grep -c "\"$n\"" "$work/coupled/events.csv")
  check "$n: partitioned $a spikes = coupled $b" $([ "$a" = "$b" ]; echo $?)
done

"$uclif" simulate "$fig4" --set duration=3m --sample 5u --out "$work/wave" --quiet
check "--sample writes waveform.csv" $([ -s "$work/wave/waveform.csv" ]; echo $?)
head -1 "$work/wave/waveform.csv" | grep -q '^"t_s","N1.V_in_V","N1.V_mem_V",.*"N3.V_mem_V"'
check "waveform columns NEURON.CHANNEL" $?
check "600 rows + t = 0 + header" $([ "$(wc -l <"$work/wave/waveform.csv")" -eq 602 ]; echo $?)

"$uclif" characterize "$fig4" --out "$work/char" --quiet
check "characterize a network exits 0" $?
head -1 "$work/char/neurons.csv" | grep -q '"rate_first_isi_Hz","rate_steady_Hz"'
check "characterize writes per-neuron features" $?

printf '[stimulus]\nkind = pulses\namplitude = 7\nduration = 5m\n[layers]\nsizes = 6, 4, 2\nconnectivity = random\nfan_in = 3\nR = 22k\ndiode = yes\nseed = 2\n' >"$work/layers.ini"
"$uclif" simulate "$work/layers.ini" --out "$work/layers" --quiet
check "a layered network runs" $?
check "12 neurons" $([ "$(wc -l <"$work/layers/neurons.csv")" -eq 13 ]; echo $?)
grep -q '^"L3_2","type1","none",3,' "$work/layers/neurons.csv"
check "generated names and fan-in" $?

# bad input: exit 2, the place named, nothing written
printf '[neuron.A]\n[synapse.S]\nfrom = A\nto = B\n' >"$work/bad.ini"
"$uclif" simulate "$work/bad.ini" --out "$work/bad" >/dev/null 2>"$work/stderr"
check "unknown neuron exits 2" $([ $? -eq 2 ]; echo $?)
grep -qF "$work/bad.ini:4: [synapse.S] to: no neuron 'B'" "$work/stderr"
rc=$?; check "names file:line ($(cat "$work/stderr"))" "$rc"
check "nothing written" $([ ! -e "$work/bad" ]; echo $?)
"$uclif" simulate "$fig4" --set N9.R1=1k --out "$work/bad2" >/dev/null 2>"$work/stderr"
check "unknown neuron in --set exits 2" $([ $? -eq 2 ]; echo $?)
grep -qF -- "--set N9.R1=1k: no neuron or synapse called 'N9'" "$work/stderr"
check "names the --set" $?
check "nothing written" $([ ! -e "$work/bad2" ]; echo $?)
printf '[stimulus]\nduration = 2m\n[neuron.A]\n[synapse.AA]\nfrom = A\nto = A\n' >"$work/loop.ini"
"$uclif" simulate "$work/loop.ini" --integration partitioned --out "$work/bad3" >/dev/null 2>"$work/stderr"
check "partitioned on a cycle exits 2" $([ $? -eq 2 ]; echo $?)
grep -q "form a cycle" "$work/stderr"
check "says why" $?
"$uclif" simulate "$work/loop.ini" --out "$work/autapse" >"$work/autapse.txt"
check "an autapse runs (waveform relaxation)" $?
grep -q "relaxation integration" "$work/autapse.txt"
check "auto chose relaxation for the cycle" $?
"$uclif" simulate --integration auto --out "$work/bad4" >/dev/null 2>"$work/stderr"
check "--integration on a single neuron exits 2" $([ $? -eq 2 ]; echo $?)
# network sweeps: the same bytes at 1 and 2 ranks, a row per point and per point and neuron
printf '[run]\nname = nsw\n[stimulus]\nkind = pulses\namplitude = 7\nduration = 5m\n[neuron.A]\nneuron = type2\n[neuron.B]\n[synapse.S]\nfrom = A\nto = B\ntap = axon\n[sweep]\nS.R = 2.2k, 4.7k, 1meg\nA.amplitude = 0, 7\n' >"$work/nsw.ini"
for n in 1 2; do
  $MPIRUN -np $n "$uclif" sweep "$work/nsw.ini" -o "$work/nsw$n" --quiet >"$work/log$n" 2>&1
  rc=$?; check "network sweep at $n ranks exits 0 ($(tail -2 "$work/log$n"))" "$rc"
done
for f in points.csv neurons.csv; do
  cmp -s "$work/nsw1/$f" "$work/nsw2/$f"
  check "network sweep $f: 1 and 2 ranks identical" $?
done
check "no rate_curves.csv" $([ ! -e "$work/nsw1/rate_curves.csv" ]; echo $?)
head -1 "$work/nsw1/points.csv" | grep -q '^"point","status","reason","S.R","A.amplitude","neurons","spikes","neurons_silent","neurons_failed","E_total_J","A.spikes","A.rate_Hz","B.spikes","B.rate_Hz"'
check "network sweep points.csv header" $?
check "6 points" $([ "$(wc -l <"$work/nsw1/points.csv")" -eq 7 ]; echo $?)
check "12 neuron rows" $([ "$(wc -l <"$work/nsw1/neurons.csv")" -eq 13 ]; echo $?)
grep -q "^neuron_rows = 12$" "$work/nsw1/manifest.txt"
check "manifest counts the neuron rows" $?
# B follows A through S: silent when A is (amplitude 0), firing through 2.2k
b_silent=$(tr -d '\r' <"$work/nsw1/points.csv" | awk -F, 'NR > 1 && $5 == 0 { print $13 }' | sort -u)
check "B silent whenever A is (B spikes: $b_silent)" $([ "$b_silent" = 0 ]; echo $?)
b_fires=$(tr -d '\r' <"$work/nsw1/points.csv" | awk -F, 'NR > 1 && $4 == 2200 && $5 == 7 { print $13 }')
check "B fires through 2.2 kOhm ($b_fires spikes)" $([ "${b_fires:-0}" -gt 0 ]; echo $?)
"$uclif" report "$work/nsw2" >/dev/null 2>"$work/stderr"
rc=$?; check "report of a network sweep exits 0 ($(cat "$work/stderr"))" "$rc"
grep -q '<img src="neuron_rates.svg"' "$work/nsw2/report/index.html" &&
  grep -q "</svg>" "$work/nsw2/report/neuron_rates.svg"
check "it plots each neuron's rate" $?
rm "$work/nsw1/points.csv" "$work/nsw1/neurons.csv"
sweep1 "$uclif" merge "$work/nsw1" --spec "$work/nsw.ini" >/dev/null 2>"$work/stderr"
rc=$?; check "uclif merge --spec on a network sweep exits 0 ($(cat "$work/stderr"))" "$rc"
cmp -s "$work/nsw1/neurons.csv" "$work/nsw2/neurons.csv"
check "merge rebuilds neurons.csv" $?
printf '[stimulus]\nduration = 1m\n[neuron.A]\n[sweep]\nQ.R1 = 1k, 2k\n' >"$work/badsw.ini"
sweep1 "$uclif" sweep "$work/badsw.ini" -o "$work/badsw" >/dev/null 2>"$work/stderr"
check "a network sweep of an unknown neuron exits 2" $([ $? -eq 2 ]; echo $?)
grep -qF "badsw.ini:5: Q.R1: no neuron or synapse called 'Q'" "$work/stderr"
rc=$?; check "and names the file and line ($(cat "$work/stderr"))" "$rc"
check "nothing written" $([ ! -e "$work/badsw" ]; echo $?)
finish
