#!/usr/bin/env bash
# The one command-line grammar (src/cli/cli.h) across every command: --help and -h, an unknown
# option, a missing value and an extra argument named with exit 2; -o and --out writing where
# asked; --set where a configuration is read; --quiet printing nothing on standard output; an
# unreadable input exiting 2 and an unwritable output exiting 1; and --help, the README's table
# and the commands quoted in README.md and docs/*.md naming the same options.
# Usage: test_grammar.sh UCLIF SOURCE_DIR
set -u
uclif=$1
src=$2
. "$src/tests/mpi/mpi_env.sh" # check/finish; sweep1 (MPI as root, no leak check under ASan)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

commands="simulate characterize sweep merge report tune netlist params"
writes="simulate characterize sweep tune netlist" # take -o/--out
configured="simulate characterize sweep tune netlist merge" # take --set
has() { case " $1 " in *" $2 "*) return 0 ;; esac; return 1; }

# run CMD ARGS...: the command (sweep and tune start MPI), stdout in out.txt, stderr in err.txt
run() {
  case $1 in
  sweep | tune) sweep1 "$uclif" "$@" >out.txt 2>err.txt ;;
  *) "$uclif" "$@" >out.txt 2>err.txt ;;
  esac
}
# expect CODE TEXT NAME CMD ARGS...: exit code CODE and TEXT (if not empty) in the message
expect() {
  local code=$1 text=$2 name=$3
  shift 3
  run "$@"
  local rc=$?
  check "$name: exit $code (got $rc: $(head -c 300 err.txt))" $([ $rc -eq "$code" ]; echo $?)
  if [ -n "$text" ]; then
    grep -qF -- "$text" err.txt
    check "$name: the message names '$text'" $?
  fi
}

# small, fast inputs
single="$src/sweeps/examples/type1-single.ini"
printf '[stimulus]\nduration = 1m\n[characterize]\nthreshold = 4, 7\nthreshold.tol = 2\nrheobase = off\ntau_leak = off\ntau_ref = off\nenergy = off\nrate_curve = 7\n' >char.ini
printf '[stimulus]\nduration = 4m\n[sweep]\nR1 = 47k, 68k\n[characterize]\nrate_curve = 5\ntau_leak = off\nrheobase = off\ntau_ref = off\nenergy = off\n' >sweep.ini
# a tuning spec whose target cannot be measured in 300 us: a quick run that misses it (exit 1)
printf '[stimulus]\nduration = 300u\n[solver]\nrtol = 1e-3\n[characterize]\nthreshold = 4, 7\nthreshold.tol = 2\nrheobase = off\ntau_leak = off\ntau_ref = off\nenergy = off\nrate_curve = 7\n[targets]\nthreshold_V = 5 +- 50%%\n' >tune.ini
: >a-file # a regular file: no directory can be created below it

# --- --help, -h, and an unknown option, a missing value, an extra argument: every command ---
for c in $commands; do
  run "$c" --help
  check "$c --help exits 0" $?
  cp out.txt "help-$c.txt"
  if has "$writes" "$c"; then
    grep -q '^  -o, --out ' "help-$c.txt"
    check "$c --help lists -o, --out" $?
  else
    ! grep -q -- '--out' "help-$c.txt"
    check "$c --help lists no --out" $?
  fi
  if has "$configured" "$c"; then
    grep -q '^  --set NAME=VALUE' "help-$c.txt"
    check "$c --help lists --set" $?
  fi
  grep -q '^  --quiet ' "help-$c.txt" && grep -q '^  -h, --help ' "help-$c.txt"
  check "$c --help lists --quiet and -h, --help" $?
  run "$c" -h
  cmp -s out.txt "help-$c.txt"
  check "$c -h is --help" $?
  expect 2 "uclif $c: unknown option '--frob' (see uclif $c --help)" "$c --frob" "$c" --frob
  expect 2 "unknown option '-z'" "$c -z" "$c" -z
  expect 2 "unknown option '--qu'" "$c --qu (no abbreviations)" "$c" --qu
  expect 2 "option '--quiet' takes no value" "$c --quiet=yes" "$c" --quiet=yes
  has "$configured" "$c" && expect 2 "option '--set' needs a value" "$c --set" "$c" --set
  has "$writes" "$c" && expect 2 "option '-o' needs a value" "$c -o" "$c" -o
  has "$writes" "$c" && expect 2 "option '--out' needs a value" "$c --out=" "$c" --out=
done
expect 2 "unexpected argument 'b.ini' (SPEC is 'a.ini'" "simulate: two specs" simulate a.ini b.ini
expect 2 "unexpected argument 'x'" "params: an argument" params x
expect 2 "missing SPEC" "sweep without a spec" sweep -o x
expect 2 "missing -o DIR" "tune without -o" tune tune.ini
expect 2 "missing DIR" "merge without a directory" merge
expect 2 "--sample -1: must be >= 0" "a bad value is named" simulate --sample=-1
expect 2 "--set R1: expected NAME=VALUE" "--set without =" characterize --set R1
check "no usage error wrote anything" $([ ! -e x ] && [ ! -e events.csv ]; echo $?)

# --- -o and --out write where asked; --set changes what is written; --quiet is silent ---
expect 0 "" "simulate -o" simulate "$single" -o sim-o --sample 0
grep -q '^wrote sim-o/events.csv' out.txt
check "simulate -o: summary on stdout" $?
expect 0 "" "simulate --out --set --quiet" simulate "$single" --out sim-out --sample 0 --set R1=47k --quiet
check "simulate --quiet: nothing on stdout" $([ ! -s out.txt ]; echo $?)
check "simulate: -o and --out both wrote events.csv" $([ -s sim-o/events.csv ] && [ -s sim-out/events.csv ]; echo $?)
! cmp -s sim-o/events.csv sim-out/events.csv
check "simulate --set R1=47k changes events.csv" $?

expect 0 "" "characterize -o" characterize char.ini -o ch-o
expect 0 "" "characterize --out --set --quiet" characterize char.ini --set R1=47k --out=ch-out --quiet
check "characterize --quiet: nothing on stdout" $([ ! -s out.txt ]; echo $?)
r1() { gawk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "\"R1\"") k = i } NR == 2 { print $k }' "$1"; }
check "characterize: -o wrote R1 = 68k, --out with --set R1 = 47k ($(r1 ch-o/points.csv), $(r1 ch-out/points.csv))" \
  $([ "$(r1 ch-o/points.csv)" = 68000 ] && [ "$(r1 ch-out/points.csv)" = 47000 ]; echo $?)

expect 0 "" "sweep -o" sweep sweep.ini -o sw-o
grep -q '^sweep sweep: 2 points' out.txt
check "sweep -o: summary on stdout" $?
expect 0 "" "sweep --out --set --quiet" sweep sweep.ini --out sw-out --set C=10n --quiet
check "sweep --quiet: nothing on stdout" $([ ! -s out.txt ]; echo $?)
cg() { gawk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "\"C\"") k = i } NR > 1 { print $k }' "$1" | sort -u | tr '\n' ' '; }
check "sweep: -o keeps C = 15n, --out with --set C = 10n ($(cg sw-o/points.csv)/ $(cg sw-out/points.csv))" \
  $([ "$(cg sw-o/points.csv)" = "1.4999999999999999e-08 " ] && [ "$(cg sw-out/points.csv)" = "1e-08 " ]; echo $?)
expect 2 "--set R1=10k: R1 is swept" "sweep --set of a swept key" sweep sweep.ini -o sw-bad --set R1=10k
check "sweep --set of a swept key: nothing written" $([ ! -e sw-bad ]; echo $?)
expect 2 "circuit.C differs from the spec sw-out was started with (1e-08 then, 2.2000000000000002e-08 now)" "sweep --resume with other --set" sweep sweep.ini -o sw-out --resume --set C=22n

expect 2 "missing SPEC (only --resume can take the spec DIR keeps" "sweep without SPEC" sweep -o sw-none
expect 2 "--set needs SPEC" "sweep --resume --set without SPEC" sweep --resume -o sw-out --set C=1n
expect 2 "--wait -1: must be >= 0 s" "sweep --wait -1" sweep sweep.ini -o sw-none --wait -1
expect 2 "--grace x" "sweep --grace x" sweep sweep.ini -o sw-none --grace x
expect 2 "sw-none keeps no spec" "sweep --resume of a directory without a spec" sweep --resume -o sw-none
check "refused sweeps: nothing written" $([ ! -e sw-none ]; echo $?)
expect 0 "" "sweep --resume without SPEC (the spec sw-out keeps)" sweep --resume -o sw-out --quiet
expect 0 "" "merge --spec --set --quiet" merge sw-out --spec sweep.ini --set C=10n --quiet
check "merge --quiet: nothing on stdout" $([ ! -s out.txt ]; echo $?)
expect 0 "" "merge" merge sw-o
grep -q '^merged 2 of 2 points' out.txt
check "merge: summary on stdout" $?
expect 2 "circuit.C differs from the spec sw-out was started with" "merge --spec without the sweep's --set" merge sw-out --spec sweep.ini
expect 2 "--set needs --spec" "merge --set without --spec" merge sw-out --set C=10n

expect 1 "threshold_V (wanted 5" "tune -o (a missed target exits 1)" tune tune.ini -o tu-o
grep -q '^snapped design meets every target: no' out.txt
check "tune -o: summary on stdout" $?
expect 1 "" "tune --out --set --quiet" tune tune.ini --out tu-out --set R1=47k --quiet
check "tune --quiet: nothing on stdout" $([ ! -s out.txt ]; echo $?)
grep -q '^"R1","68k","",68000,' tu-o/bom.csv && grep -q '^"R1","47k","",47000,' tu-out/bom.csv
check "tune: -o wrote R1 = 68k, --out with --set R1 = 47k" $?
sed 's/^\[targets\]/[free]\nR1 = 10k, 100k, e24\n[targets]/' tune.ini >tune-free.ini
expect 2 "--set R1=47k: R1 is free" "tune --set of a free part" tune tune-free.ini -o tu-bad --set R1=47k
check "tune --set of a free part: nothing written" $([ ! -e tu-bad ]; echo $?)

expect 0 "" "netlist to stdout" netlist "$single"
cp out.txt net-stdout.cir
grep -q '^\.end' net-stdout.cir
check "netlist without -o: the netlist on stdout" $?
expect 0 "" "netlist -o" netlist "$single" -o net-o.cir
check "netlist -o: the file, nothing on stdout" $([ ! -s out.txt ] && cmp -s net-o.cir net-stdout.cir; echo $?)
expect 0 "" "netlist --out --set --quiet" netlist "$single" --out net-out.cir --set R1=47k --quiet
check "netlist --out: the file, nothing on stdout" $([ -s net-out.cir ] && [ ! -s out.txt ]; echo $?)
grep -qi '47k\|47000' net-out.cir && ! cmp -s net-o.cir net-out.cir
check "netlist --set R1=47k changes the netlist" $?
check "netlist: no temporary file left" $([ ! -e net-o.cir.tmp ] && [ ! -e net-out.cir.tmp ]; echo $?)
expect 2 "a network spec" "netlist of a network" netlist "$src/sweeps/paper/fig4-network.ini" -o net-net.cir
check "netlist of a network: nothing written" $([ ! -e net-net.cir ] && [ ! -e net-net.cir.tmp ]; echo $?)
expect 0 "" "netlist --quiet to stdout" netlist "$single" --quiet
cmp -s out.txt net-stdout.cir
check "netlist --quiet still prints the netlist (the product)" $?
expect 0 "" "params --quiet" params --quiet
grep -q '^  R1 ' out.txt
check "params --quiet still prints the list (the product)" $?

if command -v gnuplot >/dev/null; then
  expect 0 "" "report --quiet" report sw-o --quiet
  check "report --quiet: nothing on stdout, the page written" $([ ! -s out.txt ] && [ -s sw-o/report/index.html ]; echo $?)
  expect 0 "" "report" report sw-out --max-points 10
  grep -q '^report of 2 points' out.txt
  check "report: summary on stdout" $?
fi

# --- an unreadable input exits 2, nothing written ---
expect 2 "nope.ini: cannot open" "simulate: unreadable spec" simulate nope.ini -o in-sim
expect 2 "nope.ini: cannot open" "characterize: unreadable spec" characterize nope.ini -o in-ch
expect 2 "nope.ini: cannot open" "sweep: unreadable spec" sweep nope.ini -o in-sw
expect 2 "nope.ini: cannot open" "tune: unreadable spec" tune nope.ini -o in-tu
expect 2 "nope.ini: cannot open" "netlist: unreadable spec" netlist nope.ini -o in-net.cir
expect 2 "nope.ini: cannot open" "merge: unreadable spec" merge sw-o --spec nope.ini
expect 2 "holds no shards" "merge: a directory without shards" merge a-dir-that-is-not
expect 2 "points.csv: cannot read" "report: no points.csv" report a-dir-that-is-not
expect 2 "/: read error" "simulate: a directory as spec" simulate /
check "no output for unreadable input" $(ls -d in-* 2>/dev/null | grep -q .; [ $? -ne 0 ]; echo $?)

# --- an output that cannot be written exits 1 ---
expect 1 "a-file/out" "simulate: unwritable -o" simulate "$single" --sample 0 -o a-file/out
expect 1 "a-file/out" "characterize: unwritable -o" characterize char.ini -o a-file/out
expect 1 "a-file/out" "sweep: unwritable -o" sweep sweep.ini -o a-file/out
expect 1 "a-file/out" "tune: unwritable -o" tune tune.ini -o a-file/out
expect 1 "a-file/x.cir" "netlist: unwritable -o" netlist "$single" -o a-file/x.cir
cp -r sw-o unw && rm -rf unw/report && : >unw/report
expect 1 "cannot create" "report: DIR/report cannot be written" report unw
mkdir unw/points.csv.tmp
expect 1 "points.csv.tmp" "merge: DIR/points.csv cannot be written" merge unw

# --- --help, the README's table and the commands quoted in the docs name the same options ---
for c in $commands; do
  opts_help=$(sed -n '/^options:/,/^$/p' "help-$c.txt" | grep -o '^  \(-[a-z], \)\?--[a-z-]*' |
    grep -o -- '--[a-z-]*' | sort -u | tr '\n' ' ')
  opts_readme=$(grep "^| \`uclif $c[ \`]" "$src/README.md" | cut -d'|' -f3 | grep -o -- '--[a-z-]*' |
    sort -u | tr '\n' ' ')
  check "README's table row of $c lists its --help options ($opts_readme vs $opts_help)" \
    $([ -n "$opts_help" ] && [ "$opts_help" = "$opts_readme" ]; echo $?)
  for f in "$src/README.md" "$src"/docs/*.md; do
    for o in $(grep -o "uclif $c [^\`|]*" "$f" | grep -o -- ' --[a-z][a-z-]*' | sort -u); do
      has "$opts_help" "$o"
      rc=$?; check "$(basename "$f") quotes uclif $c with $o, which its --help lists" "$rc"
    done
  done
done
finish
