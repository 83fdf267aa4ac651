#!/usr/bin/env bash
# --traces decodes as an OTLP ExportTraceServiceRequest (tests/otlp/verify.js,
# protobufjs and the OpenTelemetry definitions from npm). Exit 77 (skipped)
# without node or the packages (scripts/install-deps.sh runs npm ci in tests/otlp).
set -euo pipefail
archsim=$1
src=$2
command -v node >/dev/null || { echo "otlp test: node not installed: skipped"; exit 77; }
[ -d "$src/tests/otlp/node_modules/@opentelemetry/otlp-transformer" ] ||
  { echo "otlp test: npm packages missing (npm ci --prefix tests/otlp): skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A retry storm (examples/resilience/retry_storm.yaml): timeouts, retries
# and failures; 700/s for 4 min, 0.2% traced: about 340 traces, at least 250.
"$archsim" run "$src/examples/resilience/retry_storm.yaml" --quiet \
  --traces "$tmp/t.json" --trace-sample 0.002 --start-time 2026-01-01T00:00:00Z
node "$src/tests/otlp/verify.js" "$tmp/t.json" 250
# Every trace of a request with retries has retry events.
grep -q '"name":"retry"' "$tmp/t.json" || { echo "otlp test: no retry event in a run with retries"; exit 1; }
