#!/usr/bin/env bash
# Submission benchmark: the load generator's ceiling against a trivial TLS sink, then the same
# loads against Postfix 3.7 (reference, configured by postfix-submission.sh) and Postern, then
# 10,000 idle authenticated TLS sessions against Postern. See docs/benchmarks.md.
#
#   bench/scripts/run-submission-bench.sh            # everything
#   TARGETS="sink postfix" bench/scripts/run-submission-bench.sh
#
# Environment (all optional):
#   LOADGEN   postern_loadgen binary   (default build/bench/bench/loadgen/postern_loadgen)
#   POSTERN   postern binary           (default build/release/src/cli/postern)
#   TARGETS   any of: sink postfix postern idle   (default: all four)
#   WORKLOADS any of: W1 W2 W3                     (default: all three)
#   W1 W2 W3  "C K S N" (connections, per connection, size, total) to override a workload
#   IDLE_SESSIONS (10000)  LOADGEN_THREADS (0 = one per core)  PORT_BASE (25870)
#   OUT       results directory (default: a new bench-results.XXXXXX in the temp dir)
#   KEEP=1    keep the temp dir (configs, logs, Postfix maillog)
# Needs root for Postfix. Every server listens on 127.0.0.1 only; everything started here is
# stopped by PID on exit; every wait is bounded.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SCRIPTS=$ROOT/bench/scripts
# shellcheck source=bench/scripts/proc_lib.sh
source "$SCRIPTS/proc_lib.sh"
LOADGEN=${LOADGEN:-$ROOT/build/bench/bench/loadgen/postern_loadgen}
POSTERN=${POSTERN:-$ROOT/build/release/src/cli/postern}
TARGETS=${TARGETS:-"sink postfix postern idle"}
WORKLOADS=${WORKLOADS:-"W1 W2 W3"}
W1=${W1:-"50 20 2048 10000"}
W2=${W2:-"500 1 2048 5000"}
W3=${W3:-"10 100 102400 1000"}
IDLE_SESSIONS=${IDLE_SESSIONS:-10000}
LOADGEN_THREADS=${LOADGEN_THREADS:-0}
PORT_BASE=${PORT_BASE:-25870}
LOAD_TIMEOUT=${LOAD_TIMEOUT:-900}
USER_NAME=bench
PASSWORD=bench-$RANDOM$RANDOM

TMP=$(mktemp -d "${TMPDIR:-/tmp}/postern-bench.XXXXXX")
chmod 755 "$TMP"
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/bench-results.XXXXXX")}
mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
: >"$RESULTS"

PIDS=()           # background processes started here, stopped by PID on exit
POSTFIX_DIRS=()   # Postfix instances started here

log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }
die() { log "error: $*"; exit 1; }

cleanup() {
  local dir
  stop_all_pids
  for dir in "${POSTFIX_DIRS[@]}"; do
    "$SCRIPTS/postfix-submission.sh" stop "$dir" >/dev/null 2>&1 || true
  done
  if [[ ${KEEP:-0} == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM


make_certificate() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null
  chmod 644 "$TMP/cert.pem"
}

# run_load SERVER WORKLOAD PORT PID: one workload with the sampler around it; appends a line
# to results.jsonl.
run_load() {
  local server=$1 name=$2 port=$3 pid=$4 spec c k s n
  spec=${!name}
  read -r c k s n <<<"$spec"
  local loadavg busy
  busy=$(wait_quiet)
  loadavg=$(cut -d' ' -f1 /proc/loadavg)
  log "$server $name: C=$c K=$k S=$s N=$n (load average $loadavg, CPU busy $busy % before)"
  "$SCRIPTS/proc_sampler.py" --pid "$pid" >"$TMP/sample.json" &
  local sampler=$!
  PIDS+=("$sampler")
  sleep 0.3
  timeout "$LOAD_TIMEOUT" "$LOADGEN" --host 127.0.0.1 --port "$port" --ca "$TMP/cert.pem" \
    --servername localhost --user "$USER_NAME" --password "$PASSWORD" --from bench@example.com \
    --to rcpt@example.net --connections "$c" --per-connection "$k" --size "$s" --total "$n" \
    --threads "$LOADGEN_THREADS" --timeout 120 --label "$server-$name" \
    >"$TMP/load.json" 2>"$TMP/load.err" || true
  kill -USR1 "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  forget_pid "$sampler"
  [[ -s $TMP/load.json ]] || { cat "$TMP/load.err" >&2; die "load generator printed nothing"; }
  python3 - "$server" "$name" "$TMP/load.json" "$TMP/sample.json" "$loadavg" >>"$RESULTS" <<'PY'
import json, sys
server, name, load, sample, loadavg = sys.argv[1:6]
line = {"server": server, "workload": name, "loadavg_before": float(loadavg),
        "load": json.load(open(load))}
try:
    line["proc"] = json.load(open(sample))
except (OSError, ValueError):
    line["proc"] = {}
print(json.dumps(line))
PY
  tail -n1 "$RESULTS" >&2
}

start_sink() {  # PORT -> SERVER_PID
  "$LOADGEN" --sink "$1" --host 127.0.0.1 --cert "$TMP/cert.pem" --key "$TMP/key.pem" \
    --threads "$LOADGEN_THREADS" --hold 3600 >"$TMP/sink.out" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_listening "$1" "$SERVER_PID" 10 || die "sink did not start"
}

start_postfix() {  # PORT WORKLOAD -> SERVER_PID
  local dir=$TMP/postfix-$2
  POSTFIX_DIRS+=("$dir")
  "$SCRIPTS/postfix-submission.sh" start "$dir" "$1" "$TMP/cert.pem" "$TMP/key.pem" \
    "$USER_NAME" "$PASSWORD" >&2
  SERVER_PID=$("$SCRIPTS/postfix-submission.sh" pid "$dir")
}

stop_postfix() {
  "$SCRIPTS/postfix-submission.sh" stop "$TMP/postfix-$1" >&2
}

start_postern() {  # PORT TAG -> SERVER_PID
  local data=$TMP/postern-$2
  mkdir -p "$data"
  env POSTERN_DATA_DIR="$data" POSTERN_LISTEN="127.0.0.1:$1" \
    POSTERN_TLS_CERT="$TMP/cert.pem" POSTERN_TLS_KEY="$TMP/key.pem" \
    POSTERN_USER="$USER_NAME" POSTERN_PASSWORD="$PASSWORD" POSTERN_USER_SENDERS='*@example.com' \
    POSTERN_LOG_FORMAT=text ${POSTERN_ENV:-} \
    "$POSTERN" serve >"$TMP/postern-$2.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_listening "$1" "$SERVER_PID" 30 || { tail -20 "$TMP/postern-$2.log" >&2; die "postern did not start"; }
}

# One fresh server per workload, so no workload inherits another's processes or queue.
bench_server() {  # SERVER PORT
  local server=$1 port=$2 name
  for name in $WORKLOADS; do
    port_free "$port" || die "port $port is in use"
    case $server in
      sink) start_sink "$port" ;;
      postfix) start_postfix "$port" "$name" ;;
      postern) start_postern "$port" "$name" ;;
    esac
    run_load "$server" "$name" "$port" "$SERVER_PID"
    case $server in
      postfix) stop_postfix "$name" ;;
      *) stop_pid "$SERVER_PID" ;;
    esac
  done
}

# Opens IDLE_SESSIONS authenticated TLS sessions to a fresh Postern and reads its memory once
# all are established.
bench_idle() {
  local port=$1 line="" rss hwm
  start_postern "$port" idle
  local server=$SERVER_PID
  timeout 1200 "$LOADGEN" --host 127.0.0.1 --port "$port" --ca "$TMP/cert.pem" \
    --servername localhost --user "$USER_NAME" --password "$PASSWORD" --idle "$IDLE_SESSIONS" \
    --connections 200 --threads "$LOADGEN_THREADS" --timeout 120 --hold 900 \
    >"$TMP/idle.json" 2>"$TMP/idle.err" &
  local client=$!
  PIDS+=("$client")
  for _ in $(seq 1 6000); do
    line=$(grep '"established"' "$TMP/idle.json" || true)
    [[ -n $line ]] && break
    kill -0 "$client" 2>/dev/null || break
    sleep 0.1
  done
  [[ -n $line ]] || die "idle sessions were not established; see $TMP/idle.err"
  sleep 2
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$server/status")
  hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$server/status")
  kill -TERM "$client"
  for _ in $(seq 1 1200); do kill -0 "$client" 2>/dev/null || break; sleep 0.1; done
  stop_pid "$client"
  stop_pid "$server"
  python3 - "$TMP/idle.json" "$rss" "$hwm" >>"$RESULTS" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
est = next(l for l in lines if l.get("event") == "established")
rel = next((l for l in lines if l.get("event") == "released"), {})
print(json.dumps({"server": "postern", "workload": "idle", "established": est["established"],
                  "refused": est["refused"], "seconds": est["seconds"],
                  "alive_after_hold": rel.get("alive"), "errors": rel.get("errors", {}),
                  "rss_kib": int(sys.argv[2]), "hwm_kib": int(sys.argv[3])}))
PY
  tail -n1 "$RESULTS" >&2
}

main() {
  [[ -x $LOADGEN ]] || die "no load generator at $LOADGEN (cmake --build ... --target postern_loadgen)"
  make_certificate
  log "results in $OUT; machine: $(nproc) cores, $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) MiB"
  local t port=$PORT_BASE
  for t in $TARGETS; do
    case $t in
      sink) bench_server sink "$port" ;;
      postfix) bench_server postfix "$((port + 1))" ;;
      postern)
        [[ -x $POSTERN ]] || die "no postern binary at $POSTERN"
        bench_server postern "$((port + 2))" ;;
      idle)
        [[ -x $POSTERN ]] || die "no postern binary at $POSTERN"
        bench_idle "$((port + 3))" ;;
      *) die "unknown target $t" ;;
    esac
  done
  python3 "$SCRIPTS/bench_report.py" "$RESULTS" | tee "$OUT/table.md"
}

main "$@"
