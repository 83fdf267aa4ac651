#!/bin/sh
# Fuzzes the scenario loader (and a 2 s run of what loads) with libFuzzer
# for SECONDS (default 600; `make fuzz`, FUZZ_SECONDS=3600 for an hour).
# Seeds: examples/, scenarios/, tests/bad, tests/fuzz/regressions. A crash
# is written to build/fuzz/artifacts/: add it to tests/fuzz/regressions/
# (the test suite loads every file there). Exit 77 (skipped) without clang
# and libFuzzer.
set -eu
SECONDS_TO_RUN=${1:-600}
cd "$(dirname "$0")/.."
if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz: clang++ is not installed (apt-get install clang libclang-rt-14-dev): skipped"
  exit 77
fi
probe=$(mktemp -d)
printf '#include <cstddef>\n#include <cstdint>\nextern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }\n' > "$probe/f.cpp"
if ! clang++ -fsanitize=fuzzer "$probe/f.cpp" -o "$probe/f" >/dev/null 2>&1; then
  rm -rf "$probe"
  echo "fuzz: clang++ has no libFuzzer (apt-get install libclang-rt-14-dev): skipped"
  exit 77
fi
rm -rf "$probe"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target archsim_fuzz_loader -j "$(nproc)"
corpus=build/fuzz/corpus
mkdir -p "$corpus" build/fuzz/artifacts
find examples scenarios tests/bad tests/fuzz/regressions -name '*.yaml' -size -64k -exec cp {} "$corpus/" \; 2>/dev/null || true
# -timeout: one input running over 10 s is a hang; -rss_limit_mb: a memory blow-up.
exec ./build/fuzz/tests/fuzz/archsim_fuzz_loader -seed=1 -max_total_time="$SECONDS_TO_RUN" -timeout=10 -rss_limit_mb=2048 \
  -max_len=8192 -artifact_prefix=build/fuzz/artifacts/ -print_final_stats=1 "$corpus"
