#!/usr/bin/env bash
# `ringkernels serve` as a user runs it, scraped with curl as Prometheus would: the endpoint
# answers, the processed counter moves between two scrapes, the serve run ends cleanly.
#   tests/cli/scrape_metrics.sh RINGKERNELS_BINARY
set -euo pipefail
tool="${1:?usage: scrape_metrics.sh RINGKERNELS_BINARY}"
log="$(mktemp)"
trap 'kill "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
"$tool" serve --backend serial --metrics 127.0.0.1:0 --seconds 6 > "$log" 2>&1 &
pid=$!
port=""
for _ in $(seq 50); do  # up to 5 s for the first line
  port="$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$log")"
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "scrape: serve printed no port:"; cat "$log"; exit 1; }
series='ringkernels_messages_processed_total{backend="serial",kernel="serve_echo"}'
value() { curl -sf --max-time 5 "http://127.0.0.1:$port/metrics" | awk -v s="$series" '$1 == s {print $2}'; }
first="$(value)"
sleep 1
second="$(value)"
echo "scrape: port $port, processed $first then $second"
[ -n "$first" ] && [ -n "$second" ] || { echo "scrape: no '$series' sample"; exit 1; }
awk -v a="$first" -v b="$second" 'BEGIN { exit !(b > a && a > 0) }' \
  || { echo "scrape: the counter did not move"; exit 1; }
wait "$pid"
cat "$log"
grep -q "0 wrong replies; kernel stopped" "$log"
