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
