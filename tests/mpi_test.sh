#!/usr/bin/env bash
# archsim sweep, run --replications and compare --replications under
# `mpirun -np K` give the JSON of a single-process run (apart from `engine`),
# and really ran on K ranks.
# Skipped (exit 77) when mpirun is absent or archsim was built without MPI.
#   tests/mpi_test.sh ARCHSIM SOURCE_DIR MPI_BUILT(ON|OFF) K
set -euo pipefail
bin=$1 src=$2 built=$3 k=$4
if [ "$built" != "ON" ] || ! command -v mpirun >/dev/null; then
  echo "mpi_test: skipped (no mpirun, or archsim built without ARCHSIM_MPI)"
  exit 77
fi
# As root (containers, CI) OpenMPI refuses to start without these.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# --oversubscribe: K ranks on a machine with fewer cores. Under the dev
# preset's AddressSanitizer, OpenMPI's own start-up allocations (never
# freed by design) would fail every rank at exit as "leaks": leak checking
# is off for the ranks only (-x passes it to each of them); every other
# sanitizer check stays on.
mpi=(mpirun --oversubscribe -x ASAN_OPTIONS=detect_leaks=0 -np "$k")
# Drops the engine block (wall time, events/s, RSS differ from run to run).
strip() { sed '/"engine": {/,/}/d' "$1"; }
check() {  # NAME ARGS...: single process vs K ranks
  local name=$1
  shift
  "$bin" "$@" --jobs 1 --json "$tmp/$name.1.json" >/dev/null
  "${mpi[@]}" "$bin" "$@" --jobs 1 --json "$tmp/$name.k.json" >/dev/null 2>"$tmp/$name.err"
  grep -q "shared over $k MPI ranks" "$tmp/$name.err" ||
    { echo "$name: not shared over $k ranks"; cat "$tmp/$name.err"; exit 1; }
  [ -s "$tmp/$name.1.json" ] || { echo "$name: no JSON"; exit 1; }
  if ! diff <(strip "$tmp/$name.1.json") <(strip "$tmp/$name.k.json") >"$tmp/$name.diff"; then
    echo "$name: $k ranks differ from one process:"; head -40 "$tmp/$name.diff"; exit 1
  fi
  echo "$name: identical on 1 process and $k ranks"
}
# 2 points x 3 replications = 6 runs, and 5 replications: uneven shares on 2 and 4 ranks.
check sweep sweep "$src/examples/data/cache_aside.yaml" --duration 150s --set traffic.shoppers.rate=1000,2000 --replications 3
check replications run "$src/examples/validation/mm1.yaml" --duration 5m --replications 5
P=$src/scenarios/payments
check compare compare "$P/problem.yaml" --design "$P/designs/naive.yaml" --design "$P/designs/good.yaml" \
  --duration 1m --replications 3
