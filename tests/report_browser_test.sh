#!/bin/sh
# The HTML reports in a real browser: writes the reports of a run, a
# comparison and a sweep, opens each in headless Chromium and checks that the
# page loads without console errors, draws all its charts (uPlot canvases)
# and needs no network. Exit 77 (skipped) when Chromium is not installed:
# scripts/install-deps.sh installs it.
#   report_browser_test.sh ARCHSIM_BINARY SOURCE_DIR
set -eu
archsim=$1
src=$2
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
  echo "SKIPPED: no chromium on PATH; scripts/install-deps.sh installs it (Debian package 'chromium')"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A checkout API under a 3x spike (tests/report/): a database too small for it, and one large enough.
fx="$src/tests/report"

"$archsim" run "$fx/checkout.yaml" --duration 3m --quiet --report "$work/run.html"
"$archsim" compare "$fx/checkout.yaml" --design "$fx/designs/small.yaml" --design "$fx/designs/large.yaml" \
  --duration 3m --quiet --report "$work/compare.html"
"$archsim" sweep "$fx/checkout.yaml" --set db.workers=32:64:16 --duration 3m --jobs 2 --quiet \
  --report "$work/sweep.html"
"$archsim" sweep "$fx/checkout.yaml" --find-min db.workers=32:64 --duration 3m --jobs 2 --quiet \
  --report "$work/find-min.html"

# A script added to a copy of each page: side-by-side columns (.cols) must
# not overlap, and nothing in a column may show outside it (a wide table
# scrolls inside its column instead). It writes data-overlaps on <body>:
# the number of offending pairs, measured from element rectangles.
cat >"$work/layout-check.js" <<'JS'
(function () {
  function box(el) { var r = el.getBoundingClientRect(); return { l: r.left, t: r.top, r: r.right, b: r.bottom }; }
  function meet(a, b) { return Math.min(a.r, b.r) - Math.max(a.l, b.l) > 0.5 && Math.min(a.b, b.b) - Math.max(a.t, b.t) > 0.5; }
  function visible(el, col) {  // el's rectangle as shown: clipped by its column when the column scrolls
    var a = box(el), c = box(col), s = getComputedStyle(col);
    if (s.overflowX === "visible") return a;
    return { l: Math.max(a.l, c.l), t: a.t, r: Math.min(a.r, c.r), b: a.b };
  }
  var bad = [];
  document.querySelectorAll(".cols").forEach(function (row) {
    var cols = Array.prototype.slice.call(row.children);
    cols.forEach(function (a, i) {
      cols.forEach(function (b, j) {
        if (j <= i) return;
        if (meet(box(a), box(b))) bad.push("columns " + i + "/" + j);
        a.querySelectorAll("table, img, figure, .why").forEach(function (el) {
          if (meet(visible(el, a), box(b))) bad.push(el.tagName + " of column " + i + " over column " + j);
        });
        b.querySelectorAll("table, img, figure, .why").forEach(function (el) {
          if (meet(visible(el, b), box(a))) bad.push(el.tagName + " of column " + j + " over column " + i);
        });
      });
    });
  });
  document.body.setAttribute("data-overlaps", String(bad.length));
  document.body.setAttribute("data-overlap-what", bad.join("; "));
})();
JS

status=0
check() {
  page=$1
  want=$2
  file="$work/$page.html"
  # The page is one file: nothing is fetched from elsewhere.
  if grep -Eq '(src|href)="(https?:)?//' "$file"; then
    echo "FAIL $page: the page refers to the network"
    status=1
  fi
  flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
         --disable-sync --no-first-run --virtual-time-budget=10000"
  # shellcheck disable=SC2086
  "$browser" $flags --user-data-dir="$work/profile-$page" --enable-logging=stderr --v=0 \
    --dump-dom "file://$file" >"$work/$page.dom" 2>"$work/$page.log" || true
  # shellcheck disable=SC2086
  "$browser" $flags --user-data-dir="$work/profile-$page-shot" --window-size=1200,3200 \
    --screenshot="$work/$page.png" "file://$file" >/dev/null 2>&1 || true
  charts=$(grep -o 'data-charts="[0-9]*"' "$work/$page.dom" | grep -o '[0-9][0-9]*' || echo none)
  # The layout, at a narrow and a wide window: no overlapping boxes.
  for w in 900 1400; do
    { sed 's#</body>##; s#</html>##' "$file"; printf '<script>\n'; cat "$work/layout-check.js"; printf '</script>\n</body>\n</html>\n'; } \
      >"$work/$page-layout.html"
    # shellcheck disable=SC2086
    "$browser" $flags --user-data-dir="$work/profile-$page-layout" --window-size=$w,2000 \
      --dump-dom "file://$work/$page-layout.html" >"$work/$page-layout-$w.dom" 2>/dev/null || true
    overlaps=$(grep -o 'data-overlaps="[0-9]*"' "$work/$page-layout-$w.dom" | grep -o '[0-9][0-9]*' || echo none)
    echo "$page at ${w}px: $overlaps overlapping boxes"
    if [ "$overlaps" != "0" ]; then
      echo "FAIL $page at ${w}px: overlapping boxes: $(grep -o 'data-overlap-what="[^"]*"' "$work/$page-layout-$w.dom")"
      status=1
    fi
  done
  errors=$(grep -o 'data-errors="[0-9]*"' "$work/$page.dom" | grep -o '[0-9][0-9]*' || echo none)
  canvases=$(grep -o '<canvas' "$work/$page.dom" | wc -l)
  console=$(grep 'CONSOLE' "$work/$page.log" || true)
  shot=$(wc -c <"$work/$page.png" 2>/dev/null || echo 0)
  echo "$page: $charts charts drawn, $canvases canvases, $errors script errors, screenshot $shot bytes"
  if [ "$charts" != "$want" ] || [ "$canvases" -lt "$want" ] || [ "$errors" != "0" ]; then
    echo "FAIL $page: expected $want charts drawn and no script errors"
    status=1
  fi
  if [ -n "$console" ]; then
    echo "FAIL $page: console messages:"
    echo "$console"
    status=1
  fi
  if [ "$shot" -lt 20000 ]; then
    echo "FAIL $page: the screenshot is missing or blank"
    status=1
  fi
}

check run 5
check compare 5
check sweep 5
check find-min 5
exit $status
