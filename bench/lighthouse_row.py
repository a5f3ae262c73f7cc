#!/usr/bin/env python3
"""One row of bench/results.md from Lighthouse JSON reports of one page: the median run's
performance score, largest contentful paint and total blocking time, and whether they meet the
targets (at least 95, under 2 s, under 100 ms).

    lighthouse_row.py NAME ADDRESS REPORT.json...
"""

import json
import sys

name, address, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
runs = []
for path in paths:
    try:
        with open(path) as file:
            report = json.load(file)
    except (OSError, ValueError):
        continue
    audits = report["audits"]
    runs.append(
        (
            round(report["categories"]["performance"]["score"] * 100),
            audits["largest-contentful-paint"]["numericValue"] / 1000,
            audits["total-blocking-time"]["numericValue"],
        )
    )
if not runs:
    print(f"| {name} | `{address}` | no report | | | **no** |")
    sys.exit()
score, lcp, tbt = sorted(runs)[len(runs) // 2]
met = "yes" if score >= 95 and lcp < 2 and tbt < 100 else "**no**"
print(f"| {name} | `{address}` | {score} | {lcp:.1f} s | {tbt:.0f} ms | {met} |")
