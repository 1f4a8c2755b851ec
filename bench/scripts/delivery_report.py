#!/usr/bin/env python3
"""Markdown tables from run-delivery-bench.sh's results.jsonl (docs/benchmarks.md,
"End-to-end delivery"):  delivery_report.py results.jsonl

End-to-end messages/s = messages received by the sink / (first submission → last message at
the sink). Postern's ratio is against each Postfix variant of the same run and load; the
issue's targets are 10× (W1) and 8× (W3). The handshake test passes with at most
max_handshakes TLS handshakes at the sink and every accepted message received exactly once.
"""
import json
import sys

TARGETS = {"W1": 10, "W3": 8}


def fmt(value, digits=0):
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def other_cpu(line):
    """The machine's busy CPU from the first submission to the drain, minus the server's,
    the generator's, the sink's and the sampler's: whatever else ran (noise)."""
    proc, load, sink = line.get("proc", {}), line["load"], line["sink"]
    if "machine_busy_run_s" not in proc or "cpu_s" not in sink:
        return None
    return (proc["machine_busy_run_s"] - proc["cpu_run_s"] - load.get("client_cpu_s", 0)
            - sink["cpu_s"] - proc.get("sampler_cpu_s", 0))


def e2e_table(lines):
    out = ["| server | load | accepted | at sink | distinct | dups | left in queue | submit msg/s "
           "| **e2e msg/s** | e2e s | tail s | upstream conns | TLS handshakes "
           "| server CPU ms/msg | sink CPU ms/msg | other CPU s |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for line in lines:
        load, sink, proc = line["load"], line["sink"], line.get("proc", {})
        delivered = sink.get("messages", 0)
        cpu = proc.get("cpu_run_s")
        out.append("| " + " | ".join([
            line["server"], line["workload"], fmt(load.get("messages")), fmt(delivered),
            fmt(sink.get("unique_ids")), fmt(sink.get("duplicate_ids")),
            fmt(line.get("queue_left")), fmt(load.get("messages_per_s")),
            f"**{fmt(line.get('e2e_messages_per_s'))}**", fmt(line.get("e2e_seconds"), 2),
            fmt(line.get("tail_seconds"), 2), fmt(sink.get("connections")),
            fmt(sink.get("tls_handshakes")),
            fmt(cpu * 1000 / delivered if cpu is not None and delivered else None, 3),
            fmt(sink["cpu_s"] * 1000 / delivered if "cpu_s" in sink and delivered else None, 3),
            fmt(other_cpu(line), 2),
        ]) + " |")
    return out


def ratio_table(lines):
    rate = {(l["server"], l["workload"]): l.get("e2e_messages_per_s") for l in lines}
    refs = sorted({s for s, _ in rate if s != "postern"})
    out = []
    for workload in ("W1", "W3"):
        mine = rate.get(("postern", workload))
        for ref in refs:
            theirs = rate.get((ref, workload))
            if not mine or not theirs:
                continue
            r = mine / theirs
            target = TARGETS[workload]
            out.append(f"| {workload} | {ref} | {r:.1f}× | ≥ {target}× | "
                       f"{'met' if r >= target else '**missed**'} |")
    if not out:
        return []
    return ["| load | against | Postern ÷ Postfix (e2e msg/s) | target | |",
            "|---|---|---|---|---|"] + out


def handshake_table(lines):
    out = ["| mode | accepted | queued when the sink started | at sink | distinct | dups | left in queue "
           "| TLS handshakes | limit | upstream conns | most msgs on one conn "
           "| first delivery after sink up, s | drain s | result |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for line in lines:
        load, sink, extra = line["load"], line["sink"], line["extra"]
        accepted = load.get("messages", 0)
        ok = (line["drained"] and sink.get("tls_handshakes", 10**9) <= extra["max_handshakes"]
              and sink.get("unique_ids") == accepted and sink.get("duplicate_ids") == 0)
        out.append("| " + " | ".join([
            extra.get("mode", "–"), fmt(accepted), fmt(extra.get("queued_before")), fmt(sink.get("messages")),
            fmt(sink.get("unique_ids")), fmt(sink.get("duplicate_ids")),
            fmt(line.get("queue_left")), fmt(sink.get("tls_handshakes")),
            f"≤ {extra['max_handshakes']}", fmt(sink.get("connections")),
            fmt(sink.get("max_messages_per_connection")),
            fmt(line.get("first_after_upstream_s"), 1), fmt(line.get("drain_seconds"), 2),
            "pass" if ok else "**fail**",
        ]) + " |")
    return out


def main():
    lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
    e2e = [l for l in lines if l["kind"] == "e2e"]
    hs = [l for l in lines if l["kind"] == "handshake"]
    parts = []
    if e2e:
        parts += ["End to end (client → server → sink):", ""] + e2e_table(e2e) + [""]
        ratios = ratio_table(e2e)
        if ratios:
            parts += ratios + [""]
    if hs:
        parts += ["Handshake test (Postern, upstream down during submission):", ""]
        parts += handshake_table(hs) + [""]
    events = {f"{l['server']} {l['workload']}": l["log_events"] for l in lines
              if l.get("log_events")}
    if events:
        parts += ["Postern warnings/errors by event: " + json.dumps(events), ""]
    print("\n".join(parts))


if __name__ == "__main__":
    main()
