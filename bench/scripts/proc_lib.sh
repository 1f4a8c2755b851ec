# Sourced by the benchmark scripts: the processes a run starts are tracked in PIDS and stopped
# by PID only (never by name).

forget_pid() {
  local keep=() pid
  for pid in "${PIDS[@]}"; do [[ $pid == "$1" ]] || keep+=("$pid"); done
  PIDS=("${keep[@]}")
}

# stop_pid PID: SIGTERM, bounded wait (20 s), then SIGKILL.
stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  forget_pid "$pid"
}

# stop_all_pids: SIGTERM to every tracked process, 5 s each at most, then SIGKILL.
stop_all_pids() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}

port_free() { ! ss -Hltn "sport = :$1" | grep -q .; }

wait_listening() {  # PORT PID SECONDS
  for _ in $(seq 1 $(($3 * 10))); do
    ss -Hltn "sport = :$1" | grep -q 127.0.0.1 && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# cpu_busy_percent SECONDS: the machine's busy CPU share (all cores) over SECONDS, from
# /proc/stat (idle and iowait count as not busy).
cpu_busy_percent() {
  local a b
  read -r -a a < <(head -1 /proc/stat)
  sleep "$1"
  read -r -a b < <(head -1 /proc/stat)
  local total=0 idle i
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  idle=$((b[4] - a[4] + b[5] - a[5]))
  ((total > 0)) || { echo 0; return; }
  echo $((100 * (total - idle) / total))
}

# wait_quiet: before a measured run, waits until the previous one's leftovers (exiting
# processes, writeback) are done: busy CPU under 10 % over half a second, 30 s at most.
# Prints the last reading.
wait_quiet() {
  local busy=100
  for _ in $(seq 1 60); do
    busy=$(cpu_busy_percent 0.5)
    ((busy < 10)) && break
  done
  echo "$busy"
}
