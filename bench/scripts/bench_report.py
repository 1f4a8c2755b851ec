#!/usr/bin/env python3
"""Turns run-submission-bench.sh's results.jsonl into the markdown tables of docs/benchmarks.md.

  bench_report.py results.jsonl
"""
import json
import sys

TARGET_RATE = {"W1": 10.0, "W3": 8.0}   # Postern msg/s >= this x Postfix's
TARGET_P99 = 1 / 5                      # Postern p99 <= this x Postfix's
TARGET_MEMORY = 1 / 8                   # Postern peak memory <= this x Postfix's
TARGET_IDLE_MIB = 512


def mib(kib):
    return None if kib is None else kib / 1024


def peak_memory_mib(row):
    """Postern and the sink: VmHWM of the one process. Postfix: peak summed RSS of the tree."""
    proc = row.get("proc", {})
    if row["server"] == "postfix":
        return mib(proc.get("peak_rss_kib"))
    return mib(proc.get("root_hwm_kib") or proc.get("peak_rss_kib"))


def fmt(value, digits=1):
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def other_cpu(row):
    """Busy CPU during the load that was neither the server nor the load generator."""
    proc, load = row.get("proc", {}), row["load"]
    if proc.get("machine_busy_run_s") is None or proc.get("cpu_run_s") is None:
        return None
    return max(0.0, proc["machine_busy_run_s"] - proc["cpu_run_s"] - load.get("client_cpu_s", 0))


def per_message_ms(cpu_s, messages):
    return None if not messages or cpu_s is None else cpu_s * 1000 / messages


def main_table(rows):
    out = ["| server | load | accepted / total | msg/s | p50 / p99 ms | wire p50 / p99 ms | server CPU "
           "ms/msg (load / incl. drain) | peak memory MiB | anon MiB | procs | refused | errors | "
           "other CPU s |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if r["workload"] == "idle":
            continue
        load, proc = r["load"], r.get("proc", {})
        cpu = (f"{fmt(per_message_ms(proc.get('cpu_run_s'), load['messages']), 2)} / "
               f"{fmt(per_message_ms(proc.get('cpu_settled_s'), load['messages']), 2)}")
        errors = ", ".join(f"{k}: {v}" for k, v in load["errors"].items()) or "none"
        out.append(
            f"| {r['server']} | {r['workload']} (C={load['connections']}, K={load['per_connection']},"
            f" S={load['size']}) | {load['messages']:,} / {load['total']:,} | "
            f"{fmt(load['messages_per_s'])} | {fmt(load['p50_ms'], 2)} / {fmt(load['p99_ms'], 2)} | "
            f"{fmt(load.get('wire_p50_ms'), 2)} / {fmt(load.get('wire_p99_ms'), 2)} | "
            f"{cpu} | {fmt(peak_memory_mib(r))} | {fmt(mib(proc.get('peak_anon_kib')))} | "
            f"{proc.get('peak_procs', '–')} | {load['refused']} | {errors} | "
            f"{fmt(other_cpu(r), 2)} |")
    return out


def verdict(ok):
    return "met" if ok else "**missed**"


def target_table(rows):
    by = {(r["server"], r["workload"]): r for r in rows}
    out = ["| target | Postern | Postfix | ratio | result |", "|---|---|---|---|---|"]
    for w in ("W1", "W2", "W3"):
        pt, pf = by.get(("postern", w)), by.get(("postfix", w))
        if not pt or not pf:
            continue
        a, b = pt["load"], pf["load"]
        if w in TARGET_RATE:
            ratio = a["messages_per_s"] / b["messages_per_s"] if b["messages_per_s"] else 0
            out.append(f"| {w} msg/s ≥ {TARGET_RATE[w]:g}× Postfix | {fmt(a['messages_per_s'])} | "
                       f"{fmt(b['messages_per_s'])} | {ratio:.2f}× | {verdict(ratio >= TARGET_RATE[w])} |")
        else:
            ok = a["refused"] == 0 and a["messages"] == a["total"]
            out.append(f"| {w}: 0 refused at {a['connections']} concurrent | {a['refused']} refused, "
                       f"{a['messages']:,}/{a['total']:,} accepted | {b['refused']} refused | – | "
                       f"{verdict(ok)} |")
        for key, what in (("p99_ms", "p99"), ("wire_p99_ms", "wire p99")):
            if a.get(key) is None or b.get(key) is None:
                continue
            ratio = a[key] / b[key] if b[key] else float("inf")
            out.append(f"| {w} {what} ≤ 1/5 of Postfix | {fmt(a[key], 2)} ms | {fmt(b[key], 2)} ms | "
                       f"{ratio:.3f} | {verdict(ratio <= TARGET_P99)} |")
        ma, mb = peak_memory_mib(pt), peak_memory_mib(pf)
        if ma and mb:
            out.append(f"| {w} peak memory ≤ 1/8 of Postfix | {fmt(ma)} MiB | {fmt(mb)} MiB | "
                       f"{ma / mb:.3f} | {verdict(ma / mb <= TARGET_MEMORY)} |")
    idle = by.get(("postern", "idle"))
    if idle:
        rss = mib(idle["rss_kib"])
        out.append(f"| {idle['established']:,} idle TLS sessions ≤ {TARGET_IDLE_MIB} MiB | "
                   f"{fmt(rss)} MiB RSS (peak {fmt(mib(idle['hwm_kib']))}), "
                   f"{idle['refused']} refused, {idle['alive_after_hold']} alive after hold | – | – | "
                   f"{verdict(rss <= TARGET_IDLE_MIB and idle['refused'] == 0)} |")
    return out


def ceiling_table(rows):
    by = {(r["server"], r["workload"]): r for r in rows}
    out = ["| load | generator ceiling (sink) msg/s | Postern msg/s | Postern / ceiling |",
           "|---|---|---|---|"]
    for w in ("W1", "W2", "W3"):
        sink, pt = by.get(("sink", w)), by.get(("postern", w))
        if not sink:
            continue
        ceiling = sink["load"]["messages_per_s"]
        rate = pt["load"]["messages_per_s"] if pt else None
        share = f"{rate / ceiling:.2f}" if rate and ceiling else "–"
        out.append(f"| {w} | {fmt(ceiling)} | {fmt(rate)} | {share} |")
    return out


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    print("\n".join(main_table(rows)))
    print()
    print("\n".join(ceiling_table(rows)))
    tls = {}
    for r in rows:
        if r["workload"] != "idle" and r["load"].get("tls"):
            tls.setdefault(r["server"], r["load"]["tls"])
    if tls:
        print()
        print("Negotiated TLS: " + "; ".join(f"{k} {v}" for k, v in tls.items()) + ".")
    targets = target_table(rows)
    if len(targets) > 2:
        print()
        print("\n".join(targets))


if __name__ == "__main__":
    main()
