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
  libopenmpi-dev openmpi-bin  # mpirun/srun archsim sweep|run --replications across machines (12 MB, ~35 s)
)

# The OTLP test's npm packages (protobufjs, the OpenTelemetry definitions),
# pinned by tests/otlp/package-lock.json, into tests/otlp/node_modules. Only
# where node and npm exist; without them that test is skipped.
if command -v npm >/dev/null && [ ! -d "$(dirname "$0")/../tests/otlp/node_modules/@opentelemetry/otlp-transformer" ]; then
  echo "install-deps: npm ci in tests/otlp" >&2
  npm ci --prefix "$(dirname "$0")/../tests/otlp" --no-audit --no-fund --ignore-scripts >/dev/null 2>&1 ||
    echo "install-deps: npm ci in tests/otlp failed: the OTLP decoding test will be skipped" >&2
fi

# Optional: only the browser test of the HTML reports (tests/report_browser_test.sh)
# needs it; it is skipped without. Its install failing does not stop the rest.
extras=(
  chromium                 # headless browser for the report test
  prometheus               # promtool: loads --metrics output in tests/metrics_promtool_test.sh (19 MB);
                           # where systemd runs, the package also starts a Prometheus server on :9090
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
    echo "install-deps: could not install ${missing_extras[*]}: the tests that need them will be skipped" >&2
fi
