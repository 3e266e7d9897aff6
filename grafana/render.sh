#!/usr/bin/env bash
# Renders the dashboard pictures in docs/ (overview-dashboard.png, media-dashboard.png, caller-dashboard.png):
# a development gateway (embedded Redis, fresh data directory) under simulated calls, scraped by Prometheus
# with conf/prometheus.yml, drawn by grafana/preview.html in headless Chromium.
#
#   mvn -B -q -DskipTests package && grafana/render.sh [LOAD_SECONDS]      (default 90)
#
# Needs prometheus, chromium, python3 and curl (Debian: apt-get install prometheus chromium python3 curl), and the
# ports conf/prometheus.yml and preview.html expect to be free: 8443 (gateway), 9090 (Prometheus), 8000 (page).
# The load: one media-only stream of 15 concurrent 16 kHz calls with in-band DTMF, restarted until the end, and
# two callers in caller mode taking turns through the outcomes (right code; wrong code then right; wrong codes
# until rejected; no key stored).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${1:-90}
jar=$root/target/tonegate.jar
[ -f "$jar" ] || { echo "render.sh: $jar missing: run mvn -B -q -DskipTests package first" >&2; exit 2; }
for tool in prometheus chromium python3 curl; do
  command -v "$tool" >/dev/null || { echo "render.sh: $tool not found" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

await() { # URL SECONDS
  for _ in $(seq 1 $(( $2 * 4 ))); do curl -ksf -o /dev/null "$1" && return 0; sleep 0.25; done
  echo "render.sh: $1 did not answer within $2 s" >&2; return 1
}

(cd "$work" && exec java -jar "$jar" serve) > "$work/gateway.log" 2>&1 & pids+=($!)
await https://localhost:8443/ready 60
prometheus --config.file="$root/conf/prometheus.yml" --storage.tsdb.path="$work/prometheus" \
    --web.listen-address=127.0.0.1:9090 --web.cors.origin='.*' > "$work/prometheus.log" 2>&1 & pids+=($!)
await http://127.0.0.1:9090/-/ready 30
python3 -m http.server 8000 --bind 127.0.0.1 --directory "$root" > /dev/null 2>&1 & pids+=($!)
await http://127.0.0.1:8000/grafana/preview.html 10
sleep 10   # a few idle scrapes first, so rates start from zero

simulate() { # a failing simulate (gateway gone, bad arguments) must not spin the loops
  (cd "$work" && java -jar "$jar" simulate --quiet "$@" > /dev/null 2>&1) || sleep 1
}
end=$(( $(date +%s) + seconds ))
media_load() {
  while [ "$(date +%s)" -lt "$end" ]; do
    simulate --calls 15 --script "noise:1s,dtmf:4711#,noise:8s,dtmf:0,noise:4s"
  done
}
caller_load() { # ANI-PREFIX
  local n=0
  while [ "$(date +%s)" -lt "$end" ]; do
    n=$((n + 1))
    local ani="$1$(printf '%04d' "$n")"
    case $((n % 4)) in
      0) simulate --ani "$ani" --code 823 --store-key ;;
      1) simulate --ani "$ani" --code 111 --code 823 --store-key ;;
      2) simulate --ani "$ani" --code 111 --code 222 --code 333 --store-key ;;
      3) simulate --ani "$ani" --code 823 ;;
    esac
  done
}
media_load & pids+=($!)
caller_load +1555010 & pids+=($!)
caller_load +1555020 & pids+=($!)
wait "${pids[@]:3}" 2>/dev/null || true
sleep 10   # the last scrapes
# Anything the gateway counted as a media error during the run (expected: nothing).
curl -ks https://localhost:8443/metrics | grep -E '^tonegate_media_(parse_errors|refused)' | grep -v ' 0.0$' || true

shoot() { # DASHBOARD-UID FILE HEIGHT
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="1600,$3" \
      --virtual-time-budget=15000 --screenshot="$root/docs/$2" \
      "http://127.0.0.1:8000/grafana/preview.html?dashboard=$1&minutes=$(( seconds / 60 + 2 ))" > /dev/null 2>&1
  echo "docs/$2"
}
shoot tonegate-overview overview-dashboard.png 1100
shoot tonegate-media media-dashboard.png 1100
shoot tonegate-auth caller-dashboard.png 1100
