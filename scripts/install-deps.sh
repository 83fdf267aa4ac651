#!/usr/bin/env bash
# Installs the Debian 12 packages archsim needs to build, test and render.
# Safe to run again: it only installs what is missing. Needs root (or sudo).
set -euo pipefail

pkgs=(
  build-essential cmake pkg-config
  libyaml-cpp-dev          # scenario files, with line/column marks
  libboost-graph-dev       # call-graph checks, layered layout
  libsimgrid-dev           # platform backend (CPU and network sharing)
  libsfml-dev              # the animated view and headless rendering
  doctest-dev              # tests
  libcli11-dev             # command line
  nlohmann-json3-dev       # JSON output
  libfmt-dev               # formatting
  xvfb xauth fonts-dejavu-core  # headless rendering in tests
  ffmpeg                   # archsim render --out x.gif|x.mp4 (about 50 MB without recommends)
)

# Optional: only the browser test of the HTML reports (tests/report_browser_test.sh)
# needs it; it is skipped without. Its install failing does not stop the rest.
extras=(
  chromium                 # headless browser for the report test
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
missing_extras=()
for p in "${extras[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing_extras+=("$p")
done
if [ ${#missing[@]} -eq 0 ] && [ ${#missing_extras[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ ${#missing_extras[@]} -gt 0 ]; then
  echo "install-deps: installing optional ${missing_extras[*]}" >&2
  $SUDO apt-get install -y -qq --no-install-recommends "${missing_extras[@]}" >/dev/null ||
    echo "install-deps: could not install ${missing_extras[*]}: the browser test of the reports will be skipped" >&2
fi
