#!/usr/bin/env python3
"""Prints the parser benchmark figures as markdown tables.

Reads the criterion MEDIANS (estimates.json, "median" -> "point_estimate",
in nanoseconds) that `cargo bench -p geosip-benches --bench parse` leaves in
<target>/criterion/<message>/<level>/<parser>/new/, and prints one table per
level with the ratios rsip/geosip, rsipstack/geosip and geosip/memchr, then
whether the level (b) goals are met.

Usage: python3 benches/report.py [CRITERION_DIR]
CRITERION_DIR defaults to $CARGO_TARGET_DIR/criterion, else
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


def criterion_dir():
    if len(sys.argv) > 1:
        return sys.argv[1]
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


def main():
    root = criterion_dir()
    if not os.path.isdir(root):
        sys.exit(f"no criterion results in {root}; run "
                 "`cargo bench -p geosip-benches --bench parse` first")
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


if __name__ == "__main__":
    main()
