#!/usr/bin/env bash
# --metrics loads into a Prometheus TSDB with promtool (Debian's prometheus
# package), and its counters agree with the --csv export of the same run.
# Exit 77 (skipped) without promtool.
set -euo pipefail
archsim=$1
src=$2
command -v promtool >/dev/null || { echo "metrics test: promtool not installed (apt-get install prometheus): skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
"$archsim" run "$src/scenarios/black-friday/problem.yaml" --duration 40s --quiet \
  --metrics m.om --csv m.csv --start-time 2026-01-01T00:00:00Z
[ "$(tail -n 1 m.om)" = "# EOF" ] || { echo "metrics test: the file does not end with # EOF"; exit 1; }
promtool tsdb create-blocks-from openmetrics m.om tsdb > promtool.log 2>&1 || { cat promtool.log; exit 1; }
mkdir -p tsdb/wal
# 40 ticks for every series, and one sample (at the end) for each figure of the window.
read -r series samples < <(promtool tsdb list tsdb | awk 'NR == 2 {print $7, $5}')
promtool tsdb dump --match='{__name__=~"archsim_(window|slo)_.*"}' tsdb > window.txt
window=$(wc -l < window.txt)
[ "$window" -gt 0 ] || { echo "metrics test: no window figures (archsim_window_*, archsim_slo_*)"; exit 1; }
[ "$((samples - window))" -eq $(((series - window) * 40)) ] || {
  echo "metrics test: $samples samples for $series series ($window of the window), expected 40 per tick series"; exit 1; }
# The window's error rate is the CSV's.
om_err=$(awk '/archsim_window_error_ratio/ {print $(NF-1)}' window.txt)
csv_err=$(awk -F, '$2 == "end_to_end" && $3 == "window.error_rate" {print $4}' m.csv)
awk -v a="$om_err" -v b="$csv_err" 'BEGIN {d = a - b; if (a == "" || b == "" || d > 1e-9 || d < -1e-9) exit 1}' ||
  { echo "metrics test: window error rate: TSDB $om_err, CSV $csv_err"; exit 1; }
# Edges by name; the counter's last value is the sum of the CSV's per-tick calls.
last=$(promtool tsdb dump --match='archsim_edge_calls_total{from="api",to="db"}' tsdb | tail -n 1 | awk '{print $(NF-1)}')
csv=$(awk -F, '$2 == "api->db" && $3 == "calls" {s += $4} END {print s}' m.csv)
[ -n "$last" ] && [ "$last" = "$csv" ] || { echo "metrics test: api->db calls: TSDB $last, CSV $csv"; exit 1; }
# The first sample is at the start time + 1 s (the end of the first tick), in milliseconds.
# (dumped to a file first: 'promtool | head' dies of SIGPIPE under pipefail)
promtool tsdb dump --match='archsim_requests_started_total' tsdb > started.txt
first=$(awk 'NR == 1 {print $NF}' started.txt)
[ "$first" = "1767225601000" ] || { echo "metrics test: first sample at $first, expected 1767225601000"; exit 1; }
echo "metrics test: $series series ($window of the window), $samples samples; api->db calls $last and error rate $csv_err in both exports"
