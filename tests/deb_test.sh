#!/usr/bin/env bash
# The .deb: built by CPack from this build, installed with dpkg -i, run from
# anywhere (finding the library under /usr/share/archsim), removed. Exit 77
# (skipped) when not root, without dpkg, or when an archsim package is
# already installed (it is not ours to replace).
set -euo pipefail
build=$1
[ "$(id -u)" -eq 0 ] || { echo "deb test: needs root: skipped"; exit 77; }
command -v dpkg >/dev/null && command -v dpkg-shlibdeps >/dev/null && command -v cpack >/dev/null ||
  { echo "deb test: dpkg, dpkg-shlibdeps or cpack missing: skipped"; exit 77; }
if dpkg -s archsim >/dev/null 2>&1; then echo "deb test: an archsim package is installed already: skipped"; exit 77; fi
tmp=$(mktemp -d)
trap 'dpkg -P archsim >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
cpack -G DEB -B "$tmp" --config "$build/CPackConfig.cmake" > "$tmp/cpack.log" 2>&1 || { cat "$tmp/cpack.log"; exit 1; }
deb=$(ls "$tmp"/archsim_*.deb)
depends=$(dpkg-deb -f "$deb" Depends)
echo "deb test: Depends: $depends"
for lib in libyaml-cpp libfmt libc6; do
  case "$depends" in *"$lib"*) ;; *) echo "deb test: Depends lacks $lib"; exit 1 ;; esac
done
dpkg -i "$deb" > "$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; exit 1; }
cd "$tmp"   # no ./scenarios here: the library must come from /usr/share/archsim
/usr/bin/archsim --version
/usr/bin/archsim list > "$tmp/list.txt"  # (not piped into grep -q: SIGPIPE under pipefail)
grep -q '(from /usr/share/archsim/scenarios)' "$tmp/list.txt" ||
  { echo "deb test: archsim list does not read /usr/share/archsim/scenarios"; /usr/bin/archsim list | tail -n 1; exit 1; }
/usr/bin/archsim run black-friday --duration 45s --quiet --json r.json
grep -q '"scenario": "black-friday"' r.json
# The modules loaded on demand (SimGrid, MPI) are installed where the binary
# finds them, and the package depends on their libraries.
# (dpkg -L to a file, not piped into grep -q: SIGPIPE under pipefail.)
dpkg -L archsim > "$tmp/files.txt"
if [ -f "$build/libarchsim_simgrid.so" ]; then
  grep -q '/archsim/libarchsim_simgrid.so$' "$tmp/files.txt" || { echo "deb test: the simgrid module is not packaged"; exit 1; }
  case "$depends" in *libsimgrid*) ;; *) echo "deb test: Depends lacks libsimgrid"; exit 1 ;; esac
  /usr/bin/archsim run /usr/share/archsim/examples/validation/mm1.yaml --backend simgrid --duration 3m --quiet --json sg.json
  grep -q '"backend": "simgrid"' sg.json || { echo "deb test: --backend simgrid did not run on SimGrid"; exit 1; }
fi
if [ -f "$build/libarchsim_mpi.so" ]; then
  grep -q '/archsim/libarchsim_mpi.so$' "$tmp/files.txt" || { echo "deb test: the MPI module is not packaged"; exit 1; }
fi
for f in /usr/share/man/man1/archsim.1.gz /usr/share/bash-completion/completions/archsim \
         /usr/share/zsh/vendor-completions/_archsim /usr/share/fish/vendor_completions.d/archsim.fish \
         /usr/share/archsim/scenarios/black-friday/problem.yaml; do
  [ -f "$f" ] || { echo "deb test: $f not installed"; exit 1; }
done
echo "deb test: $(basename "$deb") installs, runs black-friday and removes cleanly"
