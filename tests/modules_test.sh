#!/usr/bin/env bash
# The modules are loaded only by the runs that need them: a fast-backend run
# loads neither SimGrid nor MPI (the dynamic loader's own log, LD_DEBUG=libs),
# a --backend simgrid run loads SimGrid through libarchsim_simgrid.so, and a
# module that cannot be loaded is an error that says so, exit 2.
#   tests/modules_test.sh ARCHSIM SOURCE_DIR SIMGRID_BUILT(ON|OFF)
set -euo pipefail
bin=$1 src=$2 simgrid=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mm1=$src/examples/validation/mm1.yaml
fail() { echo "modules_test: $*"; exit 1; }

LD_DEBUG=libs "$bin" --version >/dev/null 2>"$tmp/version.log"
LD_DEBUG=libs "$bin" run "$mm1" --duration 3m --quiet 2>"$tmp/fast.log"
for log in version fast; do
  grep -q 'calling init: .*libstdc++' "$tmp/$log.log" || fail "$log: LD_DEBUG shows no library at all: cannot tell"
  ! grep -q 'libsimgrid' "$tmp/$log.log" || fail "$log: SimGrid was loaded by a fast-backend run"
  ! grep -q 'libmpi' "$tmp/$log.log" || fail "$log: MPI was loaded without mpirun"
done
echo "modules_test: --version and a fast run load neither SimGrid nor MPI"

[ "$simgrid" = "ON" ] || { echo "modules_test: built without SimGrid: the rest skipped"; exit 77; }
LD_DEBUG=libs "$bin" run "$mm1" --duration 3m --quiet --backend simgrid 2>"$tmp/sg.log"
grep -q 'calling init: .*libarchsim_simgrid.so' "$tmp/sg.log" || fail "--backend simgrid did not load the module"
grep -q 'calling init: .*libsimgrid' "$tmp/sg.log" || fail "--backend simgrid did not load SimGrid"
echo "modules_test: --backend simgrid loads libarchsim_simgrid.so and SimGrid"

rc=0
ARCHSIM_SIMGRID_MODULE=$tmp/none.so "$bin" run "$mm1" --duration 3m --quiet --backend simgrid 2>"$tmp/err.log" || rc=$?
[ "$rc" -eq 2 ] || fail "a missing module exits $rc, not 2"
grep -q "cannot load its module libarchsim_simgrid.so" "$tmp/err.log" || { cat "$tmp/err.log"; fail "no clear message"; }
grep -q "$tmp/none.so" "$tmp/err.log" || fail "the message does not say where it looked"
echo "modules_test: a missing module: exit 2, $(head -c 120 "$tmp/err.log")"
