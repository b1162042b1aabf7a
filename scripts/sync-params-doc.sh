#!/usr/bin/env bash
# Rewrite the `uclif params` block of docs/model.md from the built binary (the block that
# tests/cli/test_simulate.sh checks). Usage: scripts/sync-params-doc.sh [UCLIF]
set -euo pipefail
uclif=${1:-build/dev/uclif}
doc=docs/model.md
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.p"' EXIT
"$uclif" params >"$tmp.p"
awk -v pf="$tmp.p" '
  /^Every parameter, as `uclif params` prints it/ { f = 1 }
  f == 1 && /^```$/ { n++; print; if (n == 1) { while ((getline l < pf) > 0) print l; skip = 1 } else { f = 2; skip = 0 }; next }
  skip { next }
  { print }' "$doc" >"$tmp"
cp "$tmp" "$doc"
