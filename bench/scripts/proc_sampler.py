#!/usr/bin/env python3
"""Samples the CPU time and memory of a process and all its descendants.

Used by run-submission-bench.sh around each workload:
  proc_sampler.py --pid PID [--interval 0.1] [--settle-max 30] [--max-seconds 1800]
Start it just before the load; send SIGUSR1 when the load generator has finished (the "run"
CPU figure is taken then); it then keeps sampling until the tree's CPU use has been idle for
0.5 s (delivery, queue clean-up) or --settle-max seconds, prints one JSON line and exits.
SIGTERM/SIGINT end it at once.

CPU: the sum over the live tree of utime+stime+cutime+cstime from /proc/<pid>/stat. A daemon
that exits is reaped by its parent (Postfix's master), whose cutime/cstime then hold its
time, so short-lived processes are counted without sampling them.
Memory, sampled every --interval: the sum of the tree's resident set sizes (statm resident)
and of its anonymous resident memory (statm resident - shared), which counts shared library
pages once per process only in the first figure. For the root alone, VmHWM at the end.
"""
import argparse
import json
import os
import signal
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def read_stat(pid):
    """(ppid, cpu ticks incl. reaped children) or None when the process is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rindex(b")") + 2:].split()
    # fields[0] is state (field 3); ppid is field 4; utime..cstime are fields 14..17.
    return int(fields[1]), sum(int(x) for x in fields[11:15])


def tree(root):
    """Live pids of root and its descendants, with their CPU ticks."""
    parents, cpu = {}, {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        stat = read_stat(int(name))
        if stat is None:
            continue
        parents.setdefault(stat[0], []).append(int(name))
        cpu[int(name)] = stat[1]
    if root not in cpu:
        return {}
    found, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if pid in cpu:
            found[pid] = cpu[pid]
            todo.extend(parents.get(pid, []))
    return found


def memory(pids):
    rss = anon = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm") as f:
                fields = f.read().split()
        except OSError:
            continue
        rss += int(fields[1])
        anon += int(fields[1]) - int(fields[2])
    return rss * PAGE // 1024, anon * PAGE // 1024


def status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--settle-max", type=float, default=30.0)
    parser.add_argument("--max-seconds", type=float, default=1800.0)
    args = parser.parse_args()

    state = {"run_end": None, "stop": False}
    signal.signal(signal.SIGUSR1, lambda *_: state.__setitem__("run_end", time.monotonic()))
    signal.signal(signal.SIGTERM, lambda *_: state.__setitem__("stop", True))
    signal.signal(signal.SIGINT, lambda *_: state.__setitem__("stop", True))

    start = time.monotonic()
    procs = tree(args.pid)
    cpu_start = sum(procs.values())
    peak_rss = peak_anon = peak_procs = samples = 0
    cpu_now = cpu_start
    cpu_run = None
    idle_since, idle_cpu = None, None
    while not state["stop"] and time.monotonic() - start < args.max_seconds:
        procs = tree(args.pid)
        if not procs:
            break
        cpu_now = max(cpu_now, sum(procs.values()))
        rss, anon = memory(procs)
        peak_rss, peak_anon = max(peak_rss, rss), max(peak_anon, anon)
        peak_procs = max(peak_procs, len(procs))
        samples += 1
        now = time.monotonic()
        if state["run_end"] is not None:
            if cpu_run is None:
                cpu_run = cpu_now
            # Settled: at most one tick of CPU over the last 0.5 s.
            if idle_cpu is None or cpu_now - idle_cpu > 1:
                idle_since, idle_cpu = now, cpu_now
            elif now - idle_since >= 0.5:
                break
            if now - state["run_end"] >= args.settle_max:
                break
        time.sleep(args.interval)
    result = {
        "cpu_run_s": round(((cpu_run if cpu_run is not None else cpu_now) - cpu_start) / TICK, 3),
        "cpu_settled_s": round((cpu_now - cpu_start) / TICK, 3),
        "settle_s": round(time.monotonic() - state["run_end"], 2) if state["run_end"] else None,
        "peak_rss_kib": peak_rss,
        "peak_anon_kib": peak_anon,
        "peak_procs": peak_procs,
        "root_hwm_kib": status_kib(args.pid, "VmHWM"),
        "samples": samples,
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    sys.exit(main())
