#!/usr/bin/env bash
# The report in a browser: headless Chromium (Debian's chromium, installed here when missing)
# loads DIR/report/index.html and every image in it loads (the page's own check writes
# "images loaded: N of M" into the DOM, which --dump-dom prints).
# And the heat map stays crisp: a screenshot of threshold_map.svg shown at twice its size shows,
# across a boundary between two cells, two flat colours with a step of at most 2 px between them
# (not the gradient of a few-pixel bitmap that the browser scales up, which a plain 'with image'
# gives; the test draws that too and checks that it is caught).
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

# the heat map in a browser, at twice its size: cells with sharp edges
if ! command -v python3 >/dev/null; then
  bash "$src/scripts/ensure-deps.sh" python3-minimal >"$work/apt-py.log" 2>&1
fi
command -v python3 >/dev/null
rc=$?; check "python3 present (decodes the screenshot; $(tail -1 "$work/apt-py.log" 2>/dev/null))" "$rc"
cat >"$work/step.py" <<'PY'
# step.py PNG FRACTION: along the row at FRACTION of the height, find the first two flat runs
# (>= 30 px of one colour, not white or black) whose colours differ; exit 0 when the pixels
# between them are at most 2 (a step), 1 otherwise (a gradient, or no two flat cells).
import struct, sys, zlib
def read_png(path):
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat = 8, b''
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
            assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
            bpp = 3 if ctype == 2 else 4
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    raw, stride = zlib.decompress(idat), w * bpp
    prev, rows = bytearray(stride), []
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return w, h, rows
w, h, rows = read_png(sys.argv[1])
y = int(h * float(sys.argv[2]))
row = rows[y]
runs, start = [], 0
for x in range(1, w + 1):
    if x == w or row[x] != row[start]:
        runs.append((start, x - start, row[start]))
        start = x
flat = [r for r in runs if r[1] >= 30 and 30 < sum(r[2]) < 3 * 245]
for a, b in zip(flat, flat[1:]):
    if sum(abs(p - q) for p, q in zip(a[2], b[2])) >= 30:
        gap = b[0] - (a[0] + a[1])
        print('y %d: x %d-%d rgb%s, %d px between, x %d-%d rgb%s' % (y, a[0], a[0] + a[1] - 1,
              a[2], gap, b[0], b[0] + b[1] - 1, b[2]))
        sys.exit(0 if gap <= 2 else 1)
print('y %d: no two flat cells of different colours (%d runs of a colour)' % (y, len(runs)))
sys.exit(1)
PY
shot() { # shot SVG PNG: a page showing SVG at 1520 x 960 px, screenshot into PNG
  printf '<!DOCTYPE html><html><body style="margin:0"><img src="%s" style="display:block;width:1520px;height:960px"></body></html>\n' "$1" >"$work/s/report/shot.html"
  rm -f "$2"
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --user-data-dir="$work/profile" --hide-scrollbars --window-size=1520,960 \
    --screenshot="$2" "file://$work/s/report/shot.html" >/dev/null 2>&1
  [ -s "$2" ]
}
shot threshold_map.svg "$work/map.png"
check "chromium screenshots the heat map" $?
# (at 35 % of the height: inside the top row of cells, clear of the boundary between the rows)
python3 "$work/step.py" "$work/map.png" 0.35 >"$work/step.log" 2>&1
rc=$?; check "heat map cells meet in a step, not a gradient ($(cat "$work/step.log"))" "$rc"
# the check is not vacuous: the same map drawn 'with image' (a bitmap the browser scales) fails it
# (plots.gp names its files relative to the report folder, and runs from there)
sed "s/ with image pixels\$/ with image/; s#'threshold_map\\.\\(svg\\|png\\)'#'old_map.\\1'#" \
  "$work/s/report/plots.gp" >"$work/old.gp"
grep -q "'old_map.svg'" "$work/old.gp" && (cd "$work/s/report" && gnuplot "$work/old.gp") >/dev/null 2>&1
check "the heat map drawn with a plain 'with image' too" $?
shot old_map.svg "$work/old.png" &&
  ! python3 "$work/step.py" "$work/old.png" 0.35 >"$work/step_old.log" 2>&1
rc=$?; check "a browser-scaled bitmap is caught as a gradient ($(cat "$work/step_old.log"))" "$rc"
finish
