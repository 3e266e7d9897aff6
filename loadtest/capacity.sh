#!/usr/bin/env bash
# The capacity curve: MediaCallsSimulation at increasing numbers of concurrent calls, a fresh gateway per step, and a
# Markdown table of what each step measured (docs/benchmarks.md, "Capacity").
#
#   loadtest/capacity.sh [CALLS...]          default: 100 250 500 750 1000
#
# Environment: CALL_DURATION (60s), WARMUP (20s), DURATION (30s), RAMP_RATE (new calls per second during the ramp,
# 25), STOP_AFTER_FAILURES (2 steps over budget in a row end the curve), and run.sh's own (MVN_FLAGS, GATEWAY_ENV...).
# Each step's full output stays in loadtest/target/capacity/<calls>.log. Heavy: on a shared machine hold the lock,
#   flock /tmp/tonegate-mvn.lock loadtest/capacity.sh
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/loadtest/target/capacity"
mkdir -p "$OUT"
STEPS=("$@")
[ ${#STEPS[@]} -gt 0 ] || STEPS=(100 250 500 750 1000)
CALL_DURATION="${CALL_DURATION:-60s}"
WARMUP="${WARMUP:-20s}"
DURATION="${DURATION:-30s}"
RAMP_RATE="${RAMP_RATE:-25}"
STOP_AFTER_FAILURES="${STOP_AFTER_FAILURES:-2}"

# p99 and req/s of one request name from a Gatling HTML report (its statistics table: col-6 is req/s, col-11 p99).
report_value() {
  local report="$1" name="$2" column="$3"
  awk -v name="$name" -v col="col-$column\"" '
    index($0, "class=\"ellipsed-name\">" name "</span>") { found = 1; next }
    found && index($0, col) { sub(/.*">/, ""); sub(/<.*/, ""); print; exit }' "$report"
}

echo "| calls | frames/s asked (calls x 50) | frames/s received | store key p99 | upgrade p99 | decision p99 (from # end) | decision p99 (from # start) | frame p99 (server) | failed | gateway CPU | Gatling CPU | machine busy | budget |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
failures=0
first=1
for calls in "${STEPS[@]}"; do
  ramp=$(( calls / RAMP_RATE )); [ "$ramp" -ge 10 ] || ramp=10
  log="$OUT/$calls.log"
  prebuilt=1; [ "$first" = 1 ] && prebuilt="${TONEGATE_PREBUILT:-0}"
  first=0
  TONEGATE_PREBUILT="$prebuilt" GATEWAY_ENV="TONEGATE_MEDIA_LIMITS_MAX_STREAMS=100000 ${GATEWAY_ENV:-}" \
    "$ROOT/loadtest/run.sh" MediaCallsSimulation -Dusers="$calls" -DcallDuration="$CALL_DURATION" \
    -Dwarmup="$WARMUP" -Dduration="$DURATION" -Dramp="${ramp}s" >"$log" 2>&1
  status=$?
  report="$(tail -n 1 "$log")"
  # (-a and no ^: Maven's colour resets may precede run.sh's lines)
  window="$(grep -a 'run.sh: measured window' "$log" | tail -1)"
  frames="$(grep -a 'run.sh: frame processing' "$log" | tail -1)"
  if [ ! -f "$report" ]; then
    echo "| $calls | run failed, see $log | | | | | | | | | | | |"
  else
    sent=$(( calls * 50 ))
    received="$(sed -n 's/.*window [0-9]* s: \([0-9]*\) frames\/s.*/\1/p' <<<"$window")"
    gw="$(sed -n 's/.*gateway \([0-9.]*\) cores.*/\1/p' <<<"$window")"
    gat="$(sed -n 's/.*Gatling \([0-9.]*\) cores.*/\1/p' <<<"$window")"
    busy="$(sed -n 's/.*machine \([0-9]*%\).*/\1/p' <<<"$window")"
    fp99="$(sed -n 's/.*p99 <= \([^,]*\),.*/\1/p' <<<"$frames")"
    failed="$(sed -n 's/^Global: percentage of failed events is less than [0-9.]* : [a-z]* (actual : \([0-9.eE-]*\)).*/\1/p' "$log" | head -1)"
    printf '| %s | %s | %s | %s ms | %s ms | %s ms | %s ms | %s | %.3f%% | %s | %s | %s | %s |\n' "$calls" "$sent" "$received" \
      "$(report_value "$report" "store session key" 11)" "$(report_value "$report" "media upgrade" 11)" \
      "$(report_value "$report" "auth decision" 11)" "$(report_value "$report" "auth decision from # start" 11)" \
      "$fp99" "${failed:-0}" "$gw" "$gat" "$busy" "$([ "$status" = 0 ] && echo held || echo NOT MET)"
  fi
  if [ "$status" = 0 ]; then failures=0; else failures=$((failures + 1)); fi
  [ "$failures" -lt "$STOP_AFTER_FAILURES" ] || break
done
