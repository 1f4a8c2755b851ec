#!/usr/bin/env bash
# End-to-end delivery benchmark (docs/benchmarks.md, "End-to-end delivery"): client → server →
# upstream sink, all on loopback. The sink (postern_loadgen --sink --sink-auth --stats-file)
# plays the provider: STARTTLS with a certificate for localhost signed by a test CA, AUTH
# checked, PIPELINING, 250 to the final dot; it counts connections, TLS handshakes, messages
# and distinct Message-IDs.
#
#   postern        Postern (custom provider = the sink, CA file, login), W1 then W3
#   postfix        Postfix 3.7 relaying to the same sink (relayhost, SASL, TLS verify), W1, W3
#   postfix-reuse  the same with smtp_tls_connection_reuse = yes (tlsproxy)
#   handshake      the sink down while 10,000 messages are submitted to Postern; Postern
#                  restarted once the sink is up, drains with 4 connections × 1,000
#                  messages; handshakes counted at the sink
#   handshake-live the same without the restart: Postern's route retries on its own
#
#   bench/scripts/run-delivery-bench.sh
#   TARGETS="postern handshake" WORKLOADS=W1 bench/scripts/run-delivery-bench.sh
#
# Environment (all optional):
#   LOADGEN, POSTERN  binaries (default build/release/bench/loadgen/postern_loadgen and
#                     build/release/src/cli/postern)
#   TARGETS           any of: postern postfix postfix-reuse handshake handshake-live
#                     (default: all five)
#   WORKLOADS         any of: W1 W3 (default both); W1 W3 "C K S N" override a workload
#   HANDSHAKE_LOAD    "C K S N" submitted while the sink is down (default "50 20 2048 10000")
#   HS_CONNECTIONS (4) HS_PER_CONNECTION (1000) HS_MAX_HANDSHAKES (40)  the handshake test
#   POSTERN_ENV       extra VAR=value words for Postern in the end-to-end runs
#   LOADGEN_THREADS (0 = one per core)  SINK_THREADS (1)  PORT_BASE (25880: sink, Postfix,
#   Postern)  LOAD_TIMEOUT (900 s)  DRAIN_TIMEOUT (600 s)
#   OUT               results directory (default: a new delivery-results.XXXXXX in the temp dir)
#   KEEP=1            keep the temp dir (certificates, configs, logs, Postfix maillog)
# Needs root for Postfix. Everything listens on 127.0.0.1 only; everything started here is
# stopped by PID on exit; every wait is bounded.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SCRIPTS=$ROOT/bench/scripts
# shellcheck source=bench/scripts/proc_lib.sh
source "$SCRIPTS/proc_lib.sh"
LOADGEN=${LOADGEN:-$ROOT/build/release/bench/loadgen/postern_loadgen}
POSTERN=${POSTERN:-$ROOT/build/release/src/cli/postern}
TARGETS=${TARGETS:-"postern postfix postfix-reuse handshake handshake-live"}
WORKLOADS=${WORKLOADS:-"W1 W3"}
W1=${W1:-"50 20 2048 10000"}
W3=${W3:-"10 100 102400 1000"}
HANDSHAKE_LOAD=${HANDSHAKE_LOAD:-"50 20 2048 10000"}
HS_CONNECTIONS=${HS_CONNECTIONS:-4}
HS_PER_CONNECTION=${HS_PER_CONNECTION:-1000}
HS_MAX_HANDSHAKES=${HS_MAX_HANDSHAKES:-40}
LOADGEN_THREADS=${LOADGEN_THREADS:-0}
SINK_THREADS=${SINK_THREADS:-1}
PORT_BASE=${PORT_BASE:-25880}
LOAD_TIMEOUT=${LOAD_TIMEOUT:-900}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-600}
USER_NAME=bench
PASSWORD=bench-$RANDOM$RANDOM
UP_USER=relay
UP_PASSWORD=relay-$RANDOM$RANDOM
SINK_PORT=$PORT_BASE
POSTFIX_PORT=$((PORT_BASE + 1))
POSTERN_PORT=$((PORT_BASE + 2))

TMP=$(mktemp -d "${TMPDIR:-/tmp}/postern-delivery.XXXXXX")
chmod 755 "$TMP"
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/delivery-results.XXXXXX")}
mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
: >"$RESULTS"

PIDS=()           # background processes started here, stopped by PID on exit
POSTFIX_DIRS=()   # Postfix instances started here

log() { echo "[delivery $(date +%H:%M:%S)] $*" >&2; }
die() { log "error: $*"; exit 1; }
now_ms() { date +%s%3N; }

cleanup() {
  local dir
  stop_all_pids
  for dir in "${POSTFIX_DIRS[@]}"; do
    "$SCRIPTS/postfix-relay.sh" stop "$dir" >/dev/null 2>&1 || true
  done
  if [[ ${KEEP:-0} == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# A test CA and a certificate for DNS:localhost / IP:127.0.0.1 signed by it, used by the sink
# (verified by Postern and Postfix against ca.pem) and by both submission listeners.
make_pki() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=Postern benchmark test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$TMP/ca.key" -out "$TMP/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj /CN=localhost \
    -keyout "$TMP/key.pem" -out "$TMP/cert.csr" 2>/dev/null
  printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "basicConstraints=CA:FALSE" \
    "keyUsage=digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" >"$TMP/cert.ext"
  openssl x509 -req -in "$TMP/cert.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" \
    -CAcreateserial -days 7 -extfile "$TMP/cert.ext" -out "$TMP/cert.pem" 2>/dev/null
  openssl verify -CAfile "$TMP/ca.pem" "$TMP/cert.pem" >/dev/null || die "test certificate"
  chmod 644 "$TMP/ca.pem" "$TMP/cert.pem"
}

# start_sink STATS_FILE -> SINK_PID (the provider: login checked, counts kept in STATS_FILE)
start_sink() {
  port_free "$SINK_PORT" || die "port $SINK_PORT is in use"
  "$LOADGEN" --sink "$SINK_PORT" --host 127.0.0.1 --cert "$TMP/cert.pem" --key "$TMP/key.pem" \
    --sink-auth --user "$UP_USER" --password "$UP_PASSWORD" --stats-file "$1" \
    --threads "$SINK_THREADS" --hold 7200 >"$1.out" 2>&1 &
  SINK_PID=$!
  PIDS+=("$SINK_PID")
  wait_listening "$SINK_PORT" "$SINK_PID" 10 || die "sink did not start"
}

sink_count() {  # STATS_FILE KEY -> number (0 when the file is not there yet)
  local value
  value=$(grep -o "\"$2\":[0-9]*" "$1" 2>/dev/null | head -n1 | cut -d: -f2) || true
  echo "${value:-0}"
}

# start_postern TAG ENV... -> SERVER_PID. Data dir postern-TAG (kept if it exists, so a
# restart finds its queue); log postern-TAG.log, or postern-TAG-$LOG_SUFFIX.log.
start_postern() {
  local tag=$1 data=$TMP/postern-$1 logfile=$TMP/postern-$1${LOG_SUFFIX:+-$LOG_SUFFIX}.log
  shift
  mkdir -p "$data"
  port_free "$POSTERN_PORT" || die "port $POSTERN_PORT is in use"
  env POSTERN_DATA_DIR="$data" POSTERN_LISTEN="127.0.0.1:$POSTERN_PORT" \
    POSTERN_TLS_CERT="$TMP/cert.pem" POSTERN_TLS_KEY="$TMP/key.pem" \
    POSTERN_USER="$USER_NAME" POSTERN_PASSWORD="$PASSWORD" POSTERN_USER_SENDERS='*@example.com' \
    POSTERN_LOG_FORMAT=text POSTERN_PROVIDER=custom POSTERN_UPSTREAM_HOST=localhost \
    POSTERN_UPSTREAM_PORT="$SINK_PORT" POSTERN_UPSTREAM_USER="$UP_USER" \
    POSTERN_UPSTREAM_PASSWORD="$UP_PASSWORD" POSTERN_UPSTREAM_CA_FILE="$TMP/ca.pem" "$@" \
    "$POSTERN" serve >"$logfile" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_listening "$POSTERN_PORT" "$SERVER_PID" 30 ||
    { tail -20 "$logfile" >&2; die "postern did not start"; }
}

# Messages Postern still has to deliver (queued or held), through its admin socket; -1 if
# the queue cannot be read.
postern_queued() {
  POSTERN_DATA_DIR=$TMP/postern-$1 "$POSTERN" queue ls --json --limit 100000 2>/dev/null |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["messages"]))' 2>/dev/null ||
    echo -1
}

# start_postfix TAG REUSE -> SERVER_PID
start_postfix() {
  local dir=$TMP/postfix-$1
  POSTFIX_DIRS+=("$dir")
  port_free "$POSTFIX_PORT" || die "port $POSTFIX_PORT is in use"
  TLS_REUSE=$2 "$SCRIPTS/postfix-relay.sh" start "$dir" "$POSTFIX_PORT" "$TMP/cert.pem" \
    "$TMP/key.pem" "$USER_NAME" "$PASSWORD" localhost "$SINK_PORT" "$TMP/ca.pem" "$UP_USER" \
    "$UP_PASSWORD" >&2
  SERVER_PID=$("$SCRIPTS/postfix-relay.sh" pid "$dir")
}

server_queued() {  # SERVER TAG
  case $1 in
    postern*) postern_queued "$2" ;;
    *) "$SCRIPTS/postfix-relay.sh" queued "$TMP/postfix-$2" ;;
  esac
}

# wait_drained SERVER TAG ACCEPTED STATS_FILE SECONDS -> QUEUE_LEFT, DRAINED (1/0).
# Drained: the sink has ACCEPTED messages and the server's queue is empty. While the sink
# count is short and has not moved for 5 s, the queue is looked at every 5 s: empty means
# the rest is lost, and the wait ends. Otherwise it ends after SECONDS.
wait_drained() {
  local server=$1 tag=$2 accepted=$3 stats=$4 limit=$5 count last=-1 still=0 start
  start=$SECONDS
  DRAINED=0
  QUEUE_LEFT=-1
  while ((SECONDS - start < limit)); do
    count=$(sink_count "$stats" messages)
    if ((count == last)); then still=$((still + 1)); else still=0; fi
    last=$count
    if ((count >= accepted)) || ((still >= 25)); then
      still=0
      QUEUE_LEFT=$(server_queued "$server" "$tag")
      if [[ $QUEUE_LEFT == 0 ]]; then
        ((count >= accepted)) && DRAINED=1
        return 0
      fi
    fi
    sleep 0.2
  done
  QUEUE_LEFT=$(server_queued "$server" "$tag")
}

# run_load PORT SPEC LABEL OUTFILE: the load generator against a submission port.
run_load() {
  local c k s n
  read -r c k s n <<<"$2"
  timeout "$LOAD_TIMEOUT" "$LOADGEN" --host 127.0.0.1 --port "$1" --ca "$TMP/ca.pem" \
    --servername localhost --user "$USER_NAME" --password "$PASSWORD" --from bench@example.com \
    --to rcpt@example.net --connections "$c" --per-connection "$k" --size "$s" --total "$n" \
    --threads "$LOADGEN_THREADS" --timeout 120 --label "$3" >"$4" 2>"$4.err" || true
  [[ -s $4 ]] || { cat "$4.err" >&2; die "load generator printed nothing"; }
}

# Warnings and errors in Postern's logs, by event: {"warn route_unavailable": 3, ...}.
log_events() {  # FILE... (missing ones ignored)
  local files=() f
  for f in "$@"; do [[ -f $f ]] && files+=("$f"); done
  ((${#files[@]})) || { echo '{}'; return; }
  awk '$2 == "warn" || $2 == "error" { n[$2 " " $3]++ }
       END { printf "{"; s = ""; for (k in n) { printf "%s\"%s\":%d", s, k, n[k]; s = "," } printf "}" }' "${files[@]}"
}

# record KIND SERVER WORKLOAD: one JSON line from the files of the last run (see below).
record() {
  python3 - "$@" "$TMP/load.json" "$TMP/sink-final.json" "$TMP/sample.json" "$T0" "$T_LOAD_END" \
    "$T_UPSTREAM" "$DRAINED" "$QUEUE_LEFT" "$EVENTS" "$EXTRA" >>"$RESULTS" <<'PY'
import json, sys
kind, server, workload, load, sink, sample, t0, t_end, t_up, drained, left, events, extra = sys.argv[1:14]
def read(path):
    try:
        return json.load(open(path))
    except (OSError, ValueError):
        return {}
load, sink, proc = read(load), read(sink), read(sample)
t0, t_end, t_up = int(t0), int(t_end), int(t_up)
line = {"kind": kind, "server": server, "workload": workload, "load": load, "sink": sink,
        "proc": proc, "t0_ms": t0, "load_end_ms": t_end, "upstream_up_ms": t_up,
        "drained": drained == "1", "queue_left": int(left), "log_events": json.loads(events),
        "extra": json.loads(extra)}
last, first = sink.get("last_message_unix_ms", 0), sink.get("first_message_unix_ms", 0)
delivered = sink.get("messages", 0)
if last > t0 and delivered:
    line["e2e_seconds"] = round((last - t0) / 1000, 3)
    line["e2e_messages_per_s"] = round(delivered / ((last - t0) / 1000), 1)
    line["tail_seconds"] = round((last - t_end) / 1000, 3)
if first and last > first:
    line["drain_seconds"] = round((last - first) / 1000, 3)
    line["first_after_upstream_s"] = round((first - t_up) / 1000, 3)
accepted = load.get("messages", 0)
line["lost"] = accepted - sink.get("unique_ids", 0)
print(json.dumps(line))
PY
  tail -n1 "$RESULTS" >&2
}

# One end-to-end run: fresh sink, fresh server, one workload, wait for the drain.
bench_e2e() {  # SERVER WORKLOAD
  local server=$1 name=$2 tag="$1-$2" spec
  spec=${!name}
  start_sink "$TMP/sink-$tag.json"
  local sink=$SINK_PID
  case $server in
    postern)
      # POSTERN_ENV is a list of VAR=value words, split on purpose.
      # shellcheck disable=SC2086
      start_postern "$tag" ${POSTERN_ENV:-} ;;
    postfix) start_postfix "$tag" 0 ;;
    postfix-reuse) start_postfix "$tag" 1 ;;
  esac
  local pid=$SERVER_PID
  local busy
  busy=$(wait_quiet)
  log "$server $name: $spec (load average $(cut -d' ' -f1 /proc/loadavg), CPU busy $busy % before)"
  "$SCRIPTS/proc_sampler.py" --pid "$pid" --settle-max 5 >"$TMP/sample.json" &
  local sampler=$!
  PIDS+=("$sampler")
  sleep 0.3
  T0=$(now_ms)
  T_UPSTREAM=$T0
  run_load "$( [[ $server == postern ]] && echo "$POSTERN_PORT" || echo "$POSTFIX_PORT")" \
    "$spec" "$tag" "$TMP/load.json"
  T_LOAD_END=$(now_ms)
  local accepted
  accepted=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["messages"])' "$TMP/load.json")
  wait_drained "$server" "$tag" "$accepted" "$TMP/sink-$tag.json" "$DRAIN_TIMEOUT"
  kill -USR1 "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  forget_pid "$sampler"
  case $server in
    postern) stop_pid "$pid" ;;
    *) "$SCRIPTS/postfix-relay.sh" stop "$TMP/postfix-$tag" >&2 ;;
  esac
  stop_pid "$sink"
  tail -n1 "$TMP/sink-$tag.json.out" >"$TMP/sink-final.json"
  EVENTS=$(log_events "$TMP/postern-$tag.log")
  EXTRA='{}'
  record e2e "$server" "$name"
}

# The handshake test: Postern's upstream is down (nothing listens on the sink port) while
# HANDSHAKE_LOAD is submitted, so everything queues; then the sink starts and Postern drains
# with HS_CONNECTIONS connections of at most HS_PER_CONNECTION messages.
#   MODE restart: Postern is stopped after the submission and started again once the sink is
#     up (the queue survives the restart; `postern queue flush`, run on the stopped store,
#     makes the messages deferred by the failed attempts due now). The route starts fresh,
#     so the drain starts at once.
#   MODE live: Postern keeps running; the drain starts when its route retries, after its
#     connect back-off (5 s doubling, at most 5 min).
bench_handshake() {
  local mode=$1 tag=handshake-$1
  port_free "$SINK_PORT" || die "port $SINK_PORT is in use"
  local hs_env=(POSTERN_DELIVERY_MAX_CONNECTIONS="$HS_CONNECTIONS"
                POSTERN_DELIVERY_MESSAGES_PER_CONNECTION="$HS_PER_CONNECTION")
  LOG_SUFFIX='' start_postern "$tag" "${hs_env[@]}"
  local pid=$SERVER_PID
  log "$tag: $HANDSHAKE_LOAD with the upstream down, then $HS_CONNECTIONS connections × $HS_PER_CONNECTION"
  T0=$(now_ms)
  run_load "$POSTERN_PORT" "$HANDSHAKE_LOAD" "$tag" "$TMP/load.json"
  T_LOAD_END=$(now_ms)
  local accepted queued_before flushed=null
  accepted=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["messages"])' "$TMP/load.json")
  queued_before=$(postern_queued "$tag")
  log "$tag: $accepted accepted, $queued_before queued"
  if [[ $mode == restart ]]; then
    stop_pid "$pid"
    flushed=$(POSTERN_DATA_DIR=$TMP/postern-$tag "$POSTERN" queue flush | grep -o '[0-9]*' | head -n1)
    log "$tag: Postern stopped, $flushed deferred recipients made due; starting the sink, then Postern"
  else
    log "$tag: starting the sink; Postern waits for its route's back-off"
  fi
  start_sink "$TMP/sink-$tag.json"
  local sink=$SINK_PID
  T_UPSTREAM=$(now_ms)
  if [[ $mode == restart ]]; then
    LOG_SUFFIX=restarted start_postern "$tag" "${hs_env[@]}"
    pid=$SERVER_PID
  fi
  "$SCRIPTS/proc_sampler.py" --pid "$pid" --settle-max 5 >"$TMP/sample.json" &
  local sampler=$!
  PIDS+=("$sampler")
  wait_drained postern "$tag" "$accepted" "$TMP/sink-$tag.json" "$DRAIN_TIMEOUT"
  kill -USR1 "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  forget_pid "$sampler"
  stop_pid "$pid"
  stop_pid "$sink"
  tail -n1 "$TMP/sink-$tag.json.out" >"$TMP/sink-final.json"
  EVENTS=$(log_events "$TMP/postern-$tag.log" "$TMP/postern-$tag-restarted.log")
  EXTRA=$(printf '{"mode":"%s","queued_before":%s,"flushed":%s,"max_connections":%s,"messages_per_connection":%s,"max_handshakes":%s}' \
    "$mode" "$queued_before" "${flushed:-null}" "$HS_CONNECTIONS" "$HS_PER_CONNECTION" "$HS_MAX_HANDSHAKES")
  record handshake postern "$tag"
}

main() {
  [[ -x $LOADGEN ]] || die "no load generator at $LOADGEN (cmake --build --preset release --target postern_loadgen)"
  [[ -x $POSTERN ]] || die "no postern binary at $POSTERN"
  "$LOADGEN" --help | grep -q -- --stats-file || die "$LOADGEN has no --stats-file (rebuild it)"
  make_pki
  log "results in $OUT; machine: $(nproc) cores, $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) MiB"
  local t name
  for t in $TARGETS; do
    case $t in
      postern | postfix | postfix-reuse)
        for name in $WORKLOADS; do bench_e2e "$t" "$name"; done ;;
      handshake) bench_handshake restart ;;
      handshake-live) bench_handshake live ;;
      *) die "unknown target $t" ;;
    esac
  done
  python3 "$SCRIPTS/delivery_report.py" "$RESULTS" | tee "$OUT/table.md"
}

main "$@"
