#!/usr/bin/env bash
# Runs one Gatling simulation against a fresh Tonegate instance and checks the latency budget.
#
#   loadtest/run.sh SIMULATION [-Dusers=N -Dduration=30s -Dramp=5s -D...]
#   loadtest/run.sh smoke                 # every simulation, a few users for a few seconds (CI)
#   loadtest/run.sh --offline=true ...    # every Maven call offline (as MVN_FLAGS=-o)
#
# Builds and installs Tonegate (mvn install at the root), starts it on a free loopback port with the embedded
# Redis, a fresh data dir and a generated access key, waits for /ready, runs the simulation (the key and URL go to
# Gatling as -Dtonegate.url / -Dtonegate.accessKey), saves the gateway's /metrics next to the report and checks the
# server-side frame-processing p99, stops Tonegate with SIGTERM, and prints the HTML report path as the LAST line.
# Exits non-zero when a budget assertion fails (or anything else does).
#
# Environment:
#   MVN_FLAGS        extra Maven flags for every Maven call, e.g. "-o" (offline)
#   TONEGATE_PREBUILT=1   do not build: install the jars already in target/ (the root build's smoke run does this)
#   GATEWAY_JAVA_OPTS     JVM options of the gateway (default -Xmx2g)
#   GATEWAY_ENV           extra environment for the gateway, e.g. "TONEGATE_INSTANCES=1 TONEGATE_LOGGING_LEVEL=INFO"
#
# Not locked: on a shared machine wrap it, e.g. `flock /tmp/tonegate-mvn.lock loadtest/run.sh TokensSimulation`.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
LOADTEST="$ROOT/loadtest"
BUDGET_FILE="$ROOT/docs/latency-budget.md"
read -r -a MVN <<<"mvn -B -ntp -Dstyle.color=never ${MVN_FLAGS:-}"

usage() {
  echo "usage: loadtest/run.sh SIMULATION|smoke [-Dusers=N -Dduration=30s -Dramp=5s -D...]" >&2
  echo "simulations: $(cd "$LOADTEST/src/test/java/io/tonegate/loadtest" && ls -- *Simulation.java | sed 's/\.java$//' | tr '\n' ' ')" >&2
  exit 64
}
if [[ "${1:-}" == --offline=* ]]; then
  [ "$1" = "--offline=true" ] && MVN+=(-o)
  shift
fi
[ $# -ge 1 ] || usage
SIMULATION="$1"
shift
for arg in "$@"; do
  case "$arg" in -D*=*) ;; *) echo "run.sh: expected -Dname=value, got '$arg'" >&2; usage ;; esac
done

# Smoke: each simulation with a few users for a few seconds (one gateway for all of them). Cold JVMs on a shared
# machine: the smoke checks that every simulation runs and fails no request.
SMOKE_SIMULATIONS=(
  # The smoke run proves the simulations work (0 failed requests); budgets are scaled 50x so a loaded CI machine
  # cannot fail it on timing. The real budget is asserted by full runs (run.sh SIMULATION), see docs/benchmarks.md.
  "TokensSimulation -Dusers=4 -Drate=40 -Dwarmup=3s -Dduration=5s -Dramp=1s -Dbudget.scale=50"
  "PresenceSimulation -Dusers=10 -Drate=5 -Dwarmup=2s -Dduration=5s -Dramp=1s -Dbudget.scale=50"
  # 4 concurrent calls, 4-digit codes, every kind of caller (accepted, rejected, locked out) in about 20 s
  "MediaCallsSimulation -Dusers=4 -DcallDuration=3s -DcodeLength=4 -DwrongShare=0.25 -DlockoutShare=0.25 -Dwarmup=2s -Dduration=5s -Dramp=1s -Dbudget.scale=50"
)

log() { echo "run.sh: $*" >&2; }

# --- build --------------------------------------------------------------------------------------------------------
cd "$ROOT"
JAR="$ROOT/target/tonegate.jar"
if [ "${TONEGATE_PREBUILT:-0}" = "1" ]; then
  log "using the jars already built in target/"
  version="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)"
  thin="$ROOT/target/tonegate-$version.jar"
  [ -f "$thin" ] && [ -f "$JAR" ] || { log "missing $thin or $JAR: build first (mvn -DskipTests package)"; exit 1; }
  "${MVN[@]}" -q install:install-file -Dfile="$thin" -DpomFile=pom.xml
else
  log "building and installing Tonegate (mvn install -DskipTests)"
  "${MVN[@]}" -q -DskipTests -Dloadtest.skip=true install
fi

# --- start the gateway --------------------------------------------------------------------------------------------
mkdir -p "$LOADTEST/target"
RUN_DIR="$(mktemp -d "$LOADTEST/target/gateway.XXXXXX")"
GATEWAY_LOG="$RUN_DIR/gateway.log"
ACCESS_KEY="$(head -c 48 /dev/urandom | base64 | tr -d '\n')"
GATEWAY_PID=""

stop_gateway() {
  if [ -n "$GATEWAY_PID" ] && kill -0 "$GATEWAY_PID" 2>/dev/null; then
    log "stopping Tonegate (SIGTERM to $GATEWAY_PID)"
    kill -TERM "$GATEWAY_PID" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$GATEWAY_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$GATEWAY_PID" 2>/dev/null; then
      log "Tonegate did not stop within 30 s; SIGKILL"
      kill -KILL "$GATEWAY_PID" 2>/dev/null || true
    fi
    wait "$GATEWAY_PID" 2>/dev/null || true
  fi
  GATEWAY_PID=""
}
cleanup() {
  stop_gateway
  rm -rf "$RUN_DIR/data"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "starting Tonegate (data and log in $RUN_DIR)"
# Load-test settings, all through the environment (conf/tonegate.yaml keeps its defaults):
# - loopback only, a free port, a fresh data dir, dev mode (the simulator's ACS key is trusted);
# - hermetic: no fetch of ACS's public JWKS (the dev key is all the media upgrades use), an empty local key set;
# - the per-IP limit on /api/sessions (120/min) would refuse a load generator that is one IP: lifted;
# - no Call Automation to hang up rejected calls through: the simulated caller hangs up itself after the tone.
echo '{"keys":[]}' >"$RUN_DIR/no-acs-keys.json"
# shellcheck disable=SC2086
env TONEGATE_HOST=127.0.0.1 TONEGATE_PORT=0 TONEGATE_DATA_DIR="$RUN_DIR/data" TONEGATE_ACCESS_KEY="$ACCESS_KEY" \
  TONEGATE_DEV_MODE=true \
  TONEGATE_MEDIA_ACS_JWKS_URL="" TONEGATE_MEDIA_ACS_JWKS_FILE="$RUN_DIR/no-acs-keys.json" \
  TONEGATE_RATE_LIMITS_PER_SOURCE_IP_LIMIT=100000 TONEGATE_CALLER_HANG_UP=false \
  ${GATEWAY_ENV:-} \
  java ${GATEWAY_JAVA_OPTS:--Xmx2g} -jar "$JAR" serve >"$GATEWAY_LOG" 2>&1 &
GATEWAY_PID=$!

URL=""
for _ in $(seq 1 600); do
  URL="$(sed -n 's/^Tonegate listening on \([^ ]*\).*/\1/p' "$GATEWAY_LOG" | head -1)"
  [ -n "$URL" ] && break
  if ! kill -0 "$GATEWAY_PID" 2>/dev/null; then
    log "Tonegate exited during start-up:"; tail -n 30 "$GATEWAY_LOG" >&2; exit 1
  fi
  sleep 0.1
done
[ -n "$URL" ] || { log "Tonegate did not start within 60 s:"; tail -n 30 "$GATEWAY_LOG" >&2; exit 1; }
for _ in $(seq 1 300); do
  curl -ksf -o /dev/null "$URL/ready" && break
  sleep 0.1
done
curl -ksf -o /dev/null "$URL/ready" || { log "$URL/ready did not answer 200 within 30 s"; exit 1; }
log "Tonegate ready at $URL"

# --- the server-side frame budget and the measured window ----------------------------------------------------------
# The media simulation saves /metrics and CPU counters at the start and end of its measured window (ServerSnapshots);
# without them, the final scrape counts from zero.
#
# p99 of tonegate_media_frame_processing_seconds from the Prometheus histogram (bucket deltas over the window): the
# budget holds when at least 99% of the frames fall in buckets at or below it (there is a bucket at the budget, so the
# check is exact); the p99 printed is the upper bound of the bucket that holds it.
# A -Dbudget.scale=N among the simulation's arguments (the smoke run) scales this budget like Gatling's.
check_frame_budget() {
  local start="$1" end="$2" scale="${3:-1}" budget_ms
  budget_ms="$(grep 'tonegate_media_frame_processing_seconds' "$BUDGET_FILE" | sed -n 's/^|[^|]*|[[:space:]]*\([0-9.]*\)[[:space:]]*ms.*/\1/p' | head -1)"
  [ -n "$budget_ms" ] || { log "no frame-processing row in $BUDGET_FILE"; return 1; }
  budget_ms="$(awk -v b="$budget_ms" -v s="$scale" 'BEGIN { print b * s }')"
  awk -v budget="$budget_ms" -v startfile="$start" '
    /^tonegate_media_frame_processing_seconds_bucket/ {
      match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5)
      if (FILENAME == startfile) { base[le] = $NF + 0 } else { count[le] = $NF + 0 - base[le]; les[le] = 1 }
    }
    END {
      total = count["+Inf"]
      if (total <= 0) { print "run.sh: frame processing: no frames counted (tonegate_media_frame_processing_seconds)"; exit 2 }
      within = 0; p99 = "+Inf"; best = 1e300
      for (le in les) {
        if (le == "+Inf") continue
        v = le + 0
        if (v <= budget / 1000 + 1e-12 && count[le] > within) within = count[le]
        if (count[le] >= 0.99 * total && v < best) { best = v; p99 = sprintf("%.3f ms", v * 1000) }
      }
      printf "run.sh: frame processing (server side): %d frames, p99 <= %s, %.3f%% within %s ms (budget: p99 <= %s ms)\n", total, p99, 100 * within / total, budget, budget
      exit (within >= 0.99 * total ? 0 : 1)
    }' "$start" "$end" >&2
}

# CPU and rates between two snapshots: gateway and Gatling in cores, the whole machine busy share.
report_window() {
  local dir="$1"
  awk -v cores="$(nproc)" '
    FNR == 1 { file++ }
    /^wall_ms / { wall[file] = $2 }
    /^gatling_cpu_ns / { gcpu[file] = $2 }
    /^proc_stat / { busy = 0; tot = 0; for (i = 3; i <= NF; i++) { tot += $i; if (i != 6 && i != 7) busy += $i }; mb[file] = busy; mt[file] = tot }
    /^process_cpu_time_ns_total / { tcpu[file] = $2 + 0 }
    /^tonegate_media_frames_received_total / { frames[file] = $2 + 0 }
    /^tonegate_media_streams_active / { streams[file] = $2 + 0 }
    END {
      s = (wall[3] - wall[1]) / 1000
      if (s <= 0) exit 0
      printf "run.sh: measured window %.0f s: %.0f frames/s, %d streams open at its end; CPU: gateway %.2f cores, Gatling %.2f cores, machine %.0f%% of %d cores busy\n", \
        s, (frames[4] - frames[2]) / s, streams[4], (tcpu[4] - tcpu[2]) / 1e9 / s, (gcpu[3] - gcpu[1]) / 1e9 / s, \
        100 * (mb[3] - mb[1]) / (mt[3] - mt[1]), cores
    }' "$dir/start-load.txt" "$dir/start-metrics.txt" "$dir/end-load.txt" "$dir/end-metrics.txt" >&2
}

# --- run ----------------------------------------------------------------------------------------------------------
REPORTS=()
run_simulation() {
  local sim="$1"; shift
  local out="$RUN_DIR/$sim.out" status=0 snapshots="$RUN_DIR/snapshots-$sim"
  log "running $sim $*"
  rm -f "$LOADTEST/target/gatling/lastRun.txt"
  set +e
  (cd "$LOADTEST" && "${MVN[@]}" test-compile gatling:test -Dgatling.simulationClass="io.tonegate.loadtest.$sim" \
      -Dtonegate.url="$URL" -Dtonegate.accessKey="$ACCESS_KEY" -Dtonegate.dataDir="$RUN_DIR/data" \
      -Dtonegate.snapshots="$snapshots" \
      -Dtonegate.budget="$BUDGET_FILE" "$@") 2>&1 | tee "$out"
  status=${PIPESTATUS[0]}
  set -e
  # the run's folder (the plugin writes its name to lastRun.txt), its report, and the gateway's metrics beside it
  local run_dir=""
  local index
  index="$(sed -n 's|^Reports generated, please open the following file: file://\(.*\)$|\1|p' "$out" | tail -n 1)"
  if [ -n "$index" ]; then
    run_dir="$(dirname "$index")"
  elif [ -f "$LOADTEST/target/gatling/lastRun.txt" ]; then
    run_dir="$LOADTEST/target/gatling/$(tail -n 1 "$LOADTEST/target/gatling/lastRun.txt")"
  fi
  if [ -n "$run_dir" ] && [ -d "$run_dir" ]; then
    curl -ksf "$URL/metrics" >"$run_dir/tonegate-metrics.txt" || log "could not save $URL/metrics"
    if [ -f "$snapshots/start-metrics.txt" ] && [ -f "$snapshots/end-metrics.txt" ]; then
      cp "$snapshots"/*.txt "$run_dir/"
      report_window "$snapshots"
    fi
    if [[ "$sim" == Media* ]]; then
      local scale=1 arg
      for arg in "$@"; do case "$arg" in -Dbudget.scale=*) scale="${arg#-Dbudget.scale=}" ;; esac; done
      if [ -f "$snapshots/end-metrics.txt" ]; then
        check_frame_budget "$snapshots/start-metrics.txt" "$snapshots/end-metrics.txt" "$scale" || status=1
      else
        check_frame_budget /dev/null "$run_dir/tonegate-metrics.txt" "$scale" || status=1
      fi
    fi
    REPORTS+=("$run_dir/index.html")
  fi
  [ "$status" -eq 0 ] && log "$sim: budget held" || log "$sim: FAILED (exit $status; output in $out)"
  return "$status"
}

overall=0
if [ "$SIMULATION" = "smoke" ]; then
  for entry in "${SMOKE_SIMULATIONS[@]}"; do
    read -r -a words <<<"$entry"
    run_simulation "${words[@]}" "$@" || overall=1
  done
else
  [ -f "$LOADTEST/src/test/java/io/tonegate/loadtest/$SIMULATION.java" ] || { log "no simulation $SIMULATION"; usage; }
  run_simulation "$SIMULATION" "$@" || overall=1
fi
stop_gateway
if grep -qE 'Exception|ERROR' "$GATEWAY_LOG"; then
  log "gateway log has errors (first lines below; full log: $GATEWAY_LOG)"
  grep -m 5 -E 'Exception|ERROR' "$GATEWAY_LOG" >&2 || true # (not `| head`: SIGPIPE + pipefail would end the script)
fi
[ "$overall" -eq 0 ] && log "all budgets held" || log "BUDGET NOT MET (or the run failed)"
for report in "${REPORTS[@]}"; do echo "$report"; done
[ ${#REPORTS[@]} -gt 0 ] || echo "no report (see $RUN_DIR)"
exit "$overall"
