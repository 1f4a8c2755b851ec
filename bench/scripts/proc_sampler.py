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
The machine's busy CPU time during the load (/proc/stat) shows how much went to other work.
Memory, sampled every --interval: the sum of the tree's resident set sizes (statm resident)
and of its anonymous resident memory (statm resident - shared), which counts shared library
pages once per process only in the first figure. For the root alone, VmHWM at the end.
"""
import argparse
import json
import os
import resource
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


class Tree:
    """The root's descendants. The parent of each pid is read once, when the pid first shows up
    in /proc, so a sample costs one directory listing plus the new processes' stat files."""

    def __init__(self, root):
        self.root = root
        self.parent = {}

    def pids(self):
        live = {int(n) for n in os.listdir("/proc") if n.isdigit()}
        for pid in list(self.parent):
            if pid not in live:
                del self.parent[pid]
        for pid in live - self.parent.keys():
            stat = read_stat(pid)
            if stat is not None:
                self.parent[pid] = stat[0]
        if self.root not in self.parent:
            return []
        children = {}
        for pid, ppid in self.parent.items():
            children.setdefault(ppid, []).append(pid)
        found, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, []))
        return found


def cpu_ticks(pids):
    total = 0
    for pid in pids:
        stat = read_stat(pid)
        if stat is not None:
            total += stat[1]
    return total


def machine_busy_ticks():
    """Busy CPU ticks of the whole machine (all CPUs), from the first line of /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...
    return sum(fields[0:3]) + sum(fields[5:8])


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
    tree = Tree(args.pid)
    pids = tree.pids()
    cpu_start = cpu_ticks(pids)
    machine_start = machine_busy_ticks()
    machine_run = None
    peak_rss = peak_anon = peak_procs = samples = 0
    cpu_now = cpu_start
    cpu_run = None
    idle_since, idle_cpu = None, None
    while not state["stop"] and time.monotonic() - start < args.max_seconds:
        pids = tree.pids()
        if not pids:
            break
        rss, anon = memory(pids)
        peak_rss, peak_anon = max(peak_rss, rss), max(peak_anon, anon)
        peak_procs = max(peak_procs, len(pids))
        samples += 1
        now = time.monotonic()
        if state["run_end"] is not None:
            # CPU is read only at the ends and while settling: exited daemons are in their
            # parent's cutime/cstime, so nothing is lost between the two readings.
            cpu_now = max(cpu_now, cpu_ticks(pids))
            if cpu_run is None:
                cpu_run = cpu_now
                machine_run = machine_busy_ticks()
            # Settled: at most one tick of CPU over the last 0.5 s.
            if idle_cpu is None or cpu_now - idle_cpu > 1:
                idle_since, idle_cpu = now, cpu_now
            elif now - idle_since >= 0.5:
                break
            if now - state["run_end"] >= args.settle_max:
                break
        time.sleep(args.interval)
    if cpu_run is None:
        cpu_now = max(cpu_now, cpu_ticks(tree.pids()))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result = {
        "cpu_run_s": round(((cpu_run if cpu_run is not None else cpu_now) - cpu_start) / TICK, 3),
        "cpu_settled_s": round((cpu_now - cpu_start) / TICK, 3),
        "settle_s": round(time.monotonic() - state["run_end"], 2) if state["run_end"] else None,
        # Busy CPU of the whole machine during the load (server, generator, sampler, others).
        "machine_busy_run_s": round(((machine_run or machine_busy_ticks()) - machine_start) / TICK, 3),
        "peak_rss_kib": peak_rss,
        "peak_anon_kib": peak_anon,
        "peak_procs": peak_procs,
        "root_hwm_kib": status_kib(args.pid, "VmHWM"),
        "samples": samples,
        "sampler_cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    sys.exit(main())
