#!/usr/bin/env bash
# The structure the test command holds the code to (docs: README.md "Layout"; STYLE: "Folders
# name layers"). Usage: check_layers.sh SRCDIR [LIBRARY.a ...]
#  (a) no include cycle between modules: module x is include/uclif/x.h with its source
#      src/*/x.c; an edge x -> y for every #include "uclif/y.h" in either (a CLI file is a module
#      of its own). A cycle is printed.
#  (b) layers: the folders of src/ in the order base, model, solve, measure, sweep, report,
#      tune, cli; a file may include the headers of modules in its own folder or an earlier
#      one. A header belongs to the folder of its source; a header without one (an interface
#      such as system.h) to base. Violations listed in tests/layers-allow.txt (FILE HEADER
#      reason) are reported but pass; an entry that matches no violation fails (remove it).
#  (c) <mpi.h> is included by exactly one file of include/ and src/ ($MPI_FILE below), and
#      SUNDIALS headers (cvode*, sundials/, nvector/, sunmatrix/, sunlinsol/) only by
#      src/solve/integrator.c.
#  (d) the library (the archives given: everything of src/ but src/cli/) never prints, exits,
#      aborts or runs a shell: no object of it references printf, vprintf, puts, putchar,
#      perror, exit, abort, system, popen or the streams stdout and stderr (nm -u; so an
#      fprintf to a FILE* the library opened is allowed, one to stderr is not).
# Prints each finding; exits 1 if any check fails.
set -u
src=${1:?usage: check_layers.sh SRCDIR [LIBRARY.a ...]}
shift
cd "$src" || exit 2
LAYERS="base model solve measure sweep report tune cli"
MPI_FILE=src/sweep/sched.c
SUNDIALS_FILE=src/solve/integrator.c
ALLOW=tests/layers-allow.txt
pass=0
fail=0
check() { # NAME STATUS
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi
}

# FILE MODULE FOLDER for every header and source file
files=$(
  for h in include/uclif/*.h; do
    m=$(basename "$h" .h)
    c=$(ls src/*/"$m".c 2>/dev/null | head -1)
    d=base
    if [ -n "$c" ]; then d=$(basename "$(dirname "$c")"); fi
    echo "$h $m $d"
  done
  for c in src/*/*.c src/*/*.h; do
    [ -e "$c" ] || continue
    echo "$c $(basename "${c%.*}") $(basename "$(dirname "$c")")"
  done
)
# FILE INCLUDED-MODULE for every quoted "uclif/x.h" include
edges=$(echo "$files" | while read -r f _ _; do
  sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"uclif\/\([A-Za-z0-9_]*\)\.h".*/\1/p' "$f" |
    while read -r inc; do echo "$f $inc"; done
done)

# (a) cycles: depth-first search over the module graph
cycles=$(gawk -v files="$files" '
  BEGIN { n = split(files, L, "\n"); for (i = 1; i <= n; i++) { split(L[i], w, " "); mod[w[1]] = w[2] } }
  { a = mod[$1]; b = $2; if (a != b && !((a, b) in seen)) { seen[a, b] = 1; adj[a] = adj[a] " " b; nodes[a] = nodes[b] = 1 } }
  function dfs(u,    k, m, v, i, path, nb) {
    state[u] = 1; stack[++sp] = u
    m = split(adj[u], nb, " ")
    for (k = 1; k <= m; k++) {
      v = nb[k]
      if (state[v] == 1) { # back edge: the cycle is the stack from v
        path = ""
        for (i = sp; i >= 1 && stack[i] != v; i--) path = " -> " stack[i] path
        print v path " -> " v; found++
      } else if (!state[v]) { dfs(v) }
    }
    sp--; state[u] = 2
  }
  END { for (u in nodes) if (!state[u]) dfs(u) }' <<<"$edges")
if [ -n "$cycles" ]; then
  echo "include cycles between modules:"
  echo "$cycles" | sed 's/^/  /'
fi
check "(a) no include cycle" $([ -z "$cycles" ]; echo $?)

# (b) layers
rank() { # FOLDER -> its place in LAYERS (0-based), or 99 when unknown
  local i=0 l
  for l in $LAYERS; do
    if [ "$l" = "$1" ]; then echo $i; return; fi
    i=$((i + 1))
  done
  echo 99
}
declare -A folder_of_module folder_of_file
while read -r f m d; do
  folder_of_file[$f]=$d
  case $f in include/*) folder_of_module[$m]=$d ;; esac
done <<<"$files"
violations=""
while read -r f inc; do
  [ -n "$f" ] || continue
  df=${folder_of_file[$f]}
  di=${folder_of_module[$inc]:-}
  if [ -z "$di" ]; then
    violations+="$f uclif/$inc.h (no such header)"$'\n'
  elif [ "$(rank "$di")" -gt "$(rank "$df")" ]; then
    violations+="$f uclif/$inc.h ($df includes $di)"$'\n'
  fi
done <<<"$edges"
allowed=$(sed 's/#.*//' "$ALLOW" 2>/dev/null | gawk 'NF >= 2 { print $1, $2 }')
bad=0
while read -r f h rest; do
  [ -n "$f" ] || continue
  if grep -qxF "$f $h" <<<"$allowed"; then
    echo "layer violation (allowed by $ALLOW): $f includes $h $rest"
  else
    echo "layer violation: $f includes $h $rest"
    bad=1
  fi
done <<<"$violations"
check "(b) each folder includes only its own and earlier folders' headers" $bad
stale=0
while read -r f h; do
  [ -n "$f" ] || continue
  if ! grep -q "^$f $h " <<<"$violations"; then
    echo "$ALLOW: '$f $h' is no longer a violation: remove the entry"
    stale=1
  fi
done <<<"$allowed"
check "(b) every entry of $ALLOW is still needed" $stale

# (c) MPI and SUNDIALS each in one file
inc_of() { # REGEX -> the files of include/ and src/ whose #include <...> matches it
  grep -lE "^[[:space:]]*#[[:space:]]*include[[:space:]]*<($1)" include/uclif/*.h src/*/*.c src/*/*.h 2>/dev/null
}
mpi=$(inc_of 'mpi\.h>')
if [ "$mpi" != "$MPI_FILE" ]; then
  echo "<mpi.h> is included by: $(echo $mpi) (only $MPI_FILE may)"
fi
check "(c) <mpi.h> only in $MPI_FILE" $([ "$mpi" = "$MPI_FILE" ]; echo $?)
sun=$(inc_of 'cvode|sundials/|nvector/|sunmatrix/|sunlinsol/')
if [ "$sun" != "$SUNDIALS_FILE" ]; then
  echo "SUNDIALS headers are included by: $(echo $sun) (only $SUNDIALS_FILE may)"
fi
check "(c) SUNDIALS headers only in $SUNDIALS_FILE" $([ "$sun" = "$SUNDIALS_FILE" ]; echo $?)

# (d) the library neither prints nor exits nor runs a shell
BANNED='printf|vprintf|__printf_chk|__vprintf_chk|puts|putchar|perror|exit|abort|system|popen|stdout|stderr'
if [ $# -eq 0 ]; then
  echo "(d) skipped: no library archive given"
fi
for lib in "$@"; do
  syms=$(nm -u -A "$lib" 2>&1)
  nm_rc=$?
  check "(d) nm reads $(basename "$lib") ($(head -1 <<<"$syms"))" "$nm_rc"
  found=$(gawk -v re="^($BANNED)(@.*)?$" '$NF ~ re { sub(/^.*\.a\[?:?/, "", $1); print "  " $1 " " $NF }' <<<"$syms")
  if [ -n "$found" ]; then
    echo "$(basename "$lib"): objects referencing banned calls or streams:"
    echo "$found"
  fi
  check "(d) $(basename "$lib") calls no printf/exit/abort/system/popen, uses no stdout/stderr" \
    $([ -z "$found" ]; echo $?)
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
