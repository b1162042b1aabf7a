#!/usr/bin/env bash
# The report in a browser: headless Chromium (Debian's chromium, installed here when missing)
# loads DIR/report/index.html and every image in it loads (the page's own check writes
# "images loaded: N of M" into the DOM, which --dump-dom prints).
# Usage: test_report_browser.sh UCLIF SOURCE_DIR
set -u
uclif=$1
src=$2
. "$src/tests/mpi/mpi_env.sh" # check/finish; MPI as root for the sweep
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! command -v chromium >/dev/null; then
  bash "$src/scripts/ensure-deps.sh" chromium >"$work/apt.log" 2>&1
  rc=$?; check "chromium installed ($(tail -1 "$work/apt.log"))" "$rc"
fi
sweep1 "$uclif" sweep "$src/tests/specs/sweep-small.ini" -o "$work/s" --quiet >/dev/null 2>&1
check "the sweep runs" $?
"$uclif" report "$work/s" >/dev/null 2>"$work/err"
rc=$?; check "report exits 0 ($(cat "$work/err"))" "$rc"
imgs=$(grep -c '<img src=' "$work/s/report/index.html")
check "the page has images ($imgs)" $([ "$imgs" -ge 7 ]; echo $?)
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
  --user-data-dir="$work/profile" --dump-dom "file://$work/s/report/index.html" \
  >"$work/dom.html" 2>"$work/chromium.log"
check "chromium renders the page (exit $?)" $?
loaded=$(grep -o 'images loaded: [0-9]* of [0-9]*' "$work/dom.html")
check "every image loaded ($loaded; expected $imgs of $imgs)" \
  $([ "$loaded" = "images loaded: $imgs of $imgs" ]; echo $?)
# a broken image is caught: the check is not vacuous
sed -i "s/threshold_map\.svg/missing.svg/" "$work/s/report/index.html"
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
  --user-data-dir="$work/profile" --dump-dom "file://$work/s/report/index.html" \
  >"$work/dom2.html" 2>/dev/null
grep -q "images loaded: $((imgs - 1)) of $imgs" "$work/dom2.html"
check "a missing image is reported as not loaded" $?
finish
