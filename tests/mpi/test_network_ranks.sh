#!/usr/bin/env bash
# One network over MPI ranks (waveform relaxation, docs/model.md N4): events.csv and neurons.csv
# are the same bytes at 1, 2 and 3 ranks, a failing loop fails the same way, and what runs on one
# rank only is refused. Usage: test_network_ranks.sh UCLIF SOURCE_DIR
set -u
uclif=$1
src=$2
. "$src/tests/mpi/mpi_env.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# 60 neurons, half driven, fan-in 4 with autapses through 27 kOhm and diodes: active loops
cat >"$work/net.ini" <<'INI'
[stimulus]
kind = pulses
amplitude = 7
width = 10u
period = 100u
duration = 3m
[recurrent]
topology = random
neurons = 60
fan_in = 4
autapses = yes
driven = 0.5
input_jitter = 100u
R = 27k
diode = yes
seed = 3
INI
for n in 1 2 3; do
  $MPIRUN -np $n "$uclif" simulate "$work/net.ini" -o "$work/n$n" >"$work/log$n" 2>&1
  rc=$?; check "simulate at $n ranks exits 0 ($(tail -2 "$work/log$n"))" "$rc"
done
for f in events.csv neurons.csv; do
  for n in 2 3; do
    cmp -s "$work/n1/$f" "$work/n$n/$f"
    check "$f: 1 and $n ranks identical" $?
  done
done
grep -q "relaxation integration" "$work/log2"
check "relaxation over 2 ranks" $?
spikes=$(($(wc -l <"$work/n1/events.csv") - 1))
check "the network is active ($spikes spikes)" $([ "$spikes" -gt 150 ]; echo $?)
redone=$(sed -n 's/.*sweeps over loops, \([0-9]*\) window integrations.*/\1/p' "$work/log3")
check "its loops were iterated ($redone window integrations done again)" \
  $([ "${redone:-0}" -gt 0 ]; echo $?)
check "one summary (rank 0 prints)" $([ "$(grep -c '^network:' "$work/log3")" -eq 1 ]; echo $?)
# characterize of a network spreads the same way
for n in 1 2; do
  $MPIRUN -np $n "$uclif" characterize "$work/net.ini" -o "$work/ch$n" >"$work/chlog$n" 2>&1
  rc=$?; check "characterize of the network at $n ranks exits 0 ($(tail -1 "$work/chlog$n"))" "$rc"
done
cmp -s "$work/ch1/neurons.csv" "$work/ch2/neurons.csv"
check "characterize: neurons.csv identical at 1 and 2 ranks" $?
cmp -s "$work/n1/neurons.csv" "$work/ch2/neurons.csv"
check "characterize: the same neurons.csv as simulate" $?
# a loop that cannot settle: the same failure rows on 1 and 2 ranks, exit 1
sed 's/^\[recurrent\]/[network]\nrelax.max_sweeps = 1\n[recurrent]/' "$work/net.ini" >"$work/fail.ini"
for n in 1 2; do
  $MPIRUN -np $n "$uclif" simulate "$work/fail.ini" -o "$work/f$n" >"$work/flog$n" 2>&1
  check "unconverged at $n ranks exits 1" $([ $? -eq 1 ]; echo $?)
done
cmp -s "$work/f1/neurons.csv" "$work/f2/neurons.csv"
check "unconverged: neurons.csv identical at 1 and 2 ranks" $?
grep -q "did not converge" "$work/f2/neurons.csv"
check "unconverged: the reason is in neurons.csv" $?
# one-rank schemes and waveforms are refused over ranks, said once, nothing written
sed 's/^\[recurrent\]/[network]\nintegration = coupled\n[recurrent]/' "$work/net.ini" >"$work/coupled.ini"
$MPIRUN -np 2 "$uclif" simulate "$work/coupled.ini" -o "$work/c2" >"$work/clog" 2>&1
check "coupled over 2 ranks exits 2" $([ $? -eq 2 ]; echo $?)
check "says why, once ($(head -1 "$work/clog"))" \
  $([ "$(grep -c 'coupled integration runs on one rank' "$work/clog")" -eq 1 ]; echo $?)
check "nothing written" $([ ! -e "$work/c2/events.csv" ]; echo $?)
$MPIRUN -np 2 "$uclif" simulate "$work/net.ini" --sample 10u -o "$work/s2" >"$work/slog" 2>&1
check "--sample over 2 ranks exits 2" $([ $? -eq 2 ]; echo $?)
grep -q "waveforms of a network are written on one rank" "$work/slog"
rc=$?; check "says why ($(head -1 "$work/slog"))" "$rc"
printf '[stimulus]\nduration = 1m\n[recurrent]\ntopology = ring\nneurons = 0\n' >"$work/bad.ini"
$MPIRUN -np 2 "$uclif" simulate "$work/bad.ini" -o "$work/b2" >"$work/blog" 2>&1
check "a bad spec over 2 ranks exits 2" $([ $? -eq 2 ]; echo $?)
check "said once ($(head -1 "$work/blog"))" \
  $([ "$(grep -c 'bad.ini:5' "$work/blog")" -eq 1 ]; echo $?)
finish
