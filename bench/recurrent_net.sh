#!/usr/bin/env bash
# Writes a sparse recurrent network spec (docs/benchmarks.md, "Recurrent networks") to stdout:
# N type I neurons; each takes FAN_IN distinct sources drawn uniformly from all N neurons (itself
# included: autapses and loops of every length), through R (default 220 kOhm) synapses with
# series diodes; one neuron in EXT (default every one, EXT=1) is also driven by 7 V, 10 us pulses
# every 100 us whose start is jittered over one period, as the feed-forward benchmark's first
# layer. Why 220k: with FAN_IN sources latched at once, FAN_IN * (VDD - 1 V) / R must stay below
# I_H (0.2 mA), else the loops hold every SCR on for good (measured: R <= 47k latches the whole
# network within 5 ms); at 220k the recurrent input raises the rate from 1.4 kHz (470k) to
# 1.7 kHz. The draws are a pure function of SEED (awk's srand).
#   [R=220k] [EXT=1] bench/recurrent_net.sh N [DURATION] [FAN_IN] [SEED] [JACOBIAN]
#   defaults: 20m 8 1 dense
set -euo pipefail
n=${1:?usage: recurrent_net.sh N [DURATION] [FAN_IN] [SEED] [JACOBIAN]}
dur=${2:-20m}
fan=${3:-8}
seed=${4:-1}
jac=${5:-dense}
R=${R:-220k}
ext=${EXT:-1}
[ "$fan" -le "$n" ] || fan=$n
awk -v n="$n" -v dur="$dur" -v fan="$fan" -v seed="$seed" -v jac="$jac" -v R="$R" -v ext="$ext" 'BEGIN {
  srand(seed)
  print "[circuit]\nneuron = type1\n[stimulus]\nkind = pulses\namplitude = 7\nwidth = 10u"
  print "period = 100u\nduration = " dur "\n[network]\nintegration = coupled\njacobian = " jac
  for (k = 0; k < n; k++) {
    printf "[neuron.N%d]\n", k
    if (k % ext == 0) printf "input = external\nstart = %.3fu\n", 100 * rand()
    else print "input = none"
  }
  s = 0
  for (k = 0; k < n; k++) {
    delete used
    for (j = 0; j < fan; j++) {
      do { f = int(rand() * n) } while (f in used)
      used[f] = 1
      printf "[synapse.S%d]\nfrom = N%d\nto = N%d\nR = " R "\ndiode = yes\n", s++, f, k
    }
  }
}'
