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
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
