#!/usr/bin/env python3
"""Prints the benchmark figures as markdown tables.

Parser (`cargo bench -p geosip-benches --bench parse`): reads the criterion
MEDIANS (estimates.json, "median" -> "point_estimate", in nanoseconds) in
<criterion>/<message>/<level>/<parser>/new/, and prints one table per
level with the ratios rsip/geosip, rsipstack/geosip and geosip/memchr, then
whether the level (b) goals are met.

Endpoint (`cargo bench -p geosip-benches --bench endpoint`): reads the
criterion medians of <criterion>/endpoint/{register_burst,keepalive}/new/
(one iteration = 40,000 and 20,000 messages) and the bench's own files:
<criterion>/endpoint/<bench>/summary.json (CPU-time and with-registrar
rates) and <criterion>/endpoint/heap.json (heap per connection); prints messages/s per core and heap bytes per
connection against the goals.

Usage: python3 benches/report.py [parse|endpoint] [CRITERION_DIR]
Without parse or endpoint, prints whichever results exist. CRITERION_DIR
defaults to $CRITERION_HOME, else $CARGO_TARGET_DIR/criterion, else
target/criterion at the workspace root.
"""

import json
import os
import sys

MESSAGES = ["invite", "ok_register", "unauthorized_register"]
PARSERS = ["geosip", "rsip", "rsipstack", "memchr"]
LEVELS = [
    ("index", "Level (a), index: parse and touch every header"),
    (
        "typed",
        "Level (b), typed: (a) plus top Via, From, To, CSeq, Call-ID "
        "and every WWW-Authenticate",
    ),
]
# Level (b) goals: geosip at least this many times faster than rsip and
# rsipstack, and at most this many times the memchr floor.
GOAL_RSIP = 20.0
GOAL_RSIPSTACK = 8.0
GOAL_FLOOR = 12.0


# Endpoint goals: messages/s per core, heap bytes per idle registered
# connection.
GOAL_MSGS_PER_S = 200_000
GOAL_HEAP_BYTES = 2048
# Messages in one iteration of each endpoint benchmark.
ENDPOINT_BENCHES = [
    ("register_burst", 40_000,
     "registration burst: 10,000 connections, REGISTER, 401, REGISTER, 200"),
    ("keepalive", 20_000,
     "keep-alive round: OPTIONS and 200 for each of 10,000 connections"),
]
HEAP_ROWS = [
    ("idle_spread", "idle, registrations spread over 5 s (headline)"),
    ("idle_burst", "idle, registered all at once"),
    ("after_burst", "right after the burst"),
    ("no_transaction", "registered, no transaction alive (keep-alive 60 s)"),
    ("disabled", "added disabled (connection state and config only)"),
]


def criterion_dir(arg=None):
    if arg:
        return arg
    if os.environ.get("CRITERION_HOME"):
        return os.environ["CRITERION_HOME"]
    target = os.environ.get("CARGO_TARGET_DIR")
    if not target:
        here = os.path.dirname(os.path.abspath(__file__))
        target = os.path.join(here, "..", "target")
    return os.path.join(target, "criterion")


def median_ns(root, message, level, parser):
    path = os.path.join(root, message, level, parser, "new", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"]
    except FileNotFoundError:
        return None


def fmt_ns(ns):
    if ns is None:
        return "n/a"
    if ns < 100:
        return f"{ns:.1f} ns"
    return f"{ns:,.0f} ns"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_ratio(r):
    return "n/a" if r is None else f"{r:.1f}x"


def parse_report(root):
    goals = []
    for level, title in LEVELS:
        print(f"### {title}\n")
        print("| message | geosip | rsip | rsipstack | memchr floor "
              "| rsip/geosip | rsipstack/geosip | geosip/memchr |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for m in MESSAGES:
            t = {p: median_ns(root, m, level, p) for p in PARSERS}
            r_rsip = ratio(t["rsip"], t["geosip"])
            r_stack = ratio(t["rsipstack"], t["geosip"])
            r_floor = ratio(t["geosip"], t["memchr"])
            print(f"| {m} | " + " | ".join(fmt_ns(t[p]) for p in PARSERS)
                  + f" | {fmt_ratio(r_rsip)} | {fmt_ratio(r_stack)}"
                  f" | {fmt_ratio(r_floor)} |")
            if level == "typed":
                goals.append((m, r_rsip, r_stack, r_floor))
        print()

    print("### Level (b) goals\n")
    print(f"| message | >= {GOAL_RSIP:g}x faster than rsip "
          f"| >= {GOAL_RSIPSTACK:g}x faster than rsipstack "
          f"| <= {GOAL_FLOOR:g}x the memchr floor |")
    print("|---|---|---|---|")

    def verdict(r, ok):
        if r is None:
            return "n/a"
        return f"{'met' if ok(r) else 'MISSED'} ({r:.1f}x)"

    all_met = True
    for m, r_rsip, r_stack, r_floor in goals:
        cells = [
            verdict(r_rsip, lambda r: r >= GOAL_RSIP),
            verdict(r_stack, lambda r: r >= GOAL_RSIPSTACK),
            verdict(r_floor, lambda r: r <= GOAL_FLOOR),
        ]
        all_met &= all(c.startswith("met") for c in cells)
        print(f"| {m} | " + " | ".join(cells) + " |")
    print(f"\nAll level (b) goals met: {'yes' if all_met else 'no'}")


def endpoint_median_ns(root, bench):
    path = os.path.join(root, "endpoint", bench, "new", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"]
    except FileNotFoundError:
        return None


def fmt_rate(r):
    return "n/a" if r is None else f"{r:,.0f}"


def read_json(*parts):
    try:
        with open(os.path.join(*parts)) as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def endpoint_report(root):

    print("### Messages/s per core\n")
    print("| benchmark | median time | endpoint alone (criterion median) "
          "| endpoint alone, by CPU time | endpoint + registrar "
          f"| >= {GOAL_MSGS_PER_S:,} msg/s |")
    print("|---|---:|---:|---:|---:|---|")
    rates = []
    for bench, messages, title in ENDPOINT_BENCHES:
        ns = endpoint_median_ns(root, bench)
        rate = None if ns is None else messages / (ns / 1e9)
        s = read_json(root, "endpoint", bench, "summary.json") or {}
        cpu = s.get("endpoint_cpu_msgs_per_s")
        loop = s.get("with_registrar_msgs_per_s")
        if rate is None:
            verdict = "n/a"
        else:
            verdict = "met" if rate >= GOAL_MSGS_PER_S else "MISSED"
            rates.append(rate)
        time = "n/a" if ns is None else f"{ns / 1e6:,.1f} ms"
        print(f"| {title} | {time} | {fmt_rate(rate)} | {fmt_rate(cpu)} "
              f"| {fmt_rate(loop)} | {verdict} |")
    print()

    heap = read_json(root, "endpoint", "heap.json")
    if heap:
        n = heap["connections"]
        print(f"### Heap per connection ({n:,} connections)\n")
        print("| state | transactions alive | bytes per connection "
              "| blocks per connection |")
        print("|---|---:|---:|---:|")
        for key, title in HEAP_ROWS:
            p = heap.get(key)
            if p:
                print(f"| {title} | {p['transactions']:,} "
                      f"| {p['bytes_per_conn']:,.0f} "
                      f"| {p['blocks_per_conn']:.1f} |")
        print()
        print("Endpoint allocations per message: "
              f"{heap['burst_allocs_per_msg']:.1f} in the burst, "
              f"{heap['keepalive_allocs_per_msg']:.1f} in keep-alive rounds.\n")
        idle = heap["idle_spread"]["bytes_per_conn"]
        verdict = "met" if idle <= GOAL_HEAP_BYTES else "MISSED"
        print(f"Goal <= {GOAL_HEAP_BYTES:,} bytes per idle registered "
              f"connection: {verdict} ({idle:,.0f} bytes).")
    if rates:
        ok = all(r >= GOAL_MSGS_PER_S for r in rates)
        print(f"Goal >= {GOAL_MSGS_PER_S:,} messages/s per core: "
              f"{'met' if ok else 'MISSED'} "
              f"(lowest {min(rates):,.0f}).")


def main():
    args = sys.argv[1:]
    which = None
    if args and args[0] in ("parse", "endpoint"):
        which = args.pop(0)
    root = criterion_dir(args[0] if args else None)
    if not os.path.isdir(root):
        sys.exit(f"no criterion results in {root}; run "
                 "`cargo bench -p geosip-benches` first")
    has_parse = median_ns(root, MESSAGES[0], "index", "geosip") is not None
    has_endpoint = os.path.isdir(os.path.join(root, "endpoint"))
    if which == "parse" or (which is None and has_parse):
        parse_report(root)
    if which is None and has_parse and has_endpoint:
        print()
    if which == "endpoint" or (which is None and has_endpoint):
        endpoint_report(root)


if __name__ == "__main__":
    main()
