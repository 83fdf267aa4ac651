#!/usr/bin/env bash
# Golden results: the JSON of every example and every library design, for a
# fixed seed, with the `engine` section (wall time, memory) removed. A change
# that must not alter behaviour (a refactor, a speed-up) records them with the
# old binary and compares with the new one:
#
#   scripts/golden.sh record  /tmp/golden-before build/release/archsim
#   ... change the code, rebuild ...
#   scripts/golden.sh compare /tmp/golden-before build/release/archsim
#
# `compare` prints the files that differ (with a diff of the first lines) and
# exits 1 when any does. ARCHSIM defaults to build/release/archsim; JOBS to nproc.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?usage: golden.sh record|compare DIR [ARCHSIM]}
dir=${2:?usage: golden.sh record|compare DIR [ARCHSIM]}
bin=${3:-build/release/archsim}
jobs=${JOBS:-$(nproc)}
[ -x "$bin" ] || { echo "golden: no binary at $bin" >&2; exit 2; }
command -v jq >/dev/null || { echo "golden: needs jq" >&2; exit 2; }

# One line per run: NAME<TAB>FILE<TAB>DESIGN (DESIGN empty for a whole file).
cases() {
  for f in examples/*.yaml examples/*/*.yaml; do
    printf '%s\t%s\t\n' "$(echo "$f" | tr '/' '_')" "$f"
  done
  for p in scenarios/*/problem.yaml; do
    local prob; prob=$(basename "$(dirname "$p")")
    for d in "$(dirname "$p")"/designs/*.yaml; do
      printf '%s\t%s\t%s\n' "$prob-$(basename "$d" .yaml)" "$p" "$d"
    done
  done
}

one() {  # NAME FILE DESIGN OUTDIR
  local args=("$2")
  [ -n "$3" ] && args+=(--design "$3")
  if "$bin" run "${args[@]}" --json - --quiet 2>/dev/null | jq -S 'del(.engine)' > "$4/$1.json.tmp"; then
    mv "$4/$1.json.tmp" "$4/$1.json"
  else
    echo "golden: $1 failed to run" >&2
    mv "$4/$1.json.tmp" "$4/$1.json"
  fi
}
export -f one
export bin

case "$mode" in
  record)
    mkdir -p "$dir"
    cases | tr '\t' '\n' | xargs -d '\n' -n 3 -P "$jobs" bash -c 'one "$0" "$1" "$2" '"$dir"
    echo "golden: recorded $(ls "$dir"/*.json | wc -l) results in $dir"
    ;;
  compare)
    new=$(mktemp -d)
    trap 'rm -rf "$new"' EXIT
    cases | tr '\t' '\n' | xargs -d '\n' -n 3 -P "$jobs" bash -c 'one "$0" "$1" "$2" '"$new"
    bad=0
    for f in "$dir"/*.json; do
      n=$(basename "$f")
      if ! cmp -s "$f" "$new/$n"; then
        echo "golden: $n differs"
        diff "$f" "$new/$n" | head -20 || true
        bad=1
      fi
    done
    for f in "$new"/*.json; do
      [ -e "$dir/$(basename "$f")" ] || echo "golden: $(basename "$f") is new (not compared)"
    done
    [ $bad -eq 0 ] && echo "golden: all $(ls "$dir"/*.json | wc -l) results identical"
    exit $bad
    ;;
  *) echo "usage: golden.sh record|compare DIR [ARCHSIM]" >&2; exit 2 ;;
esac
