#!/usr/bin/env python3
"""One row of bench/results.md from a Lighthouse JSON report: the performance score, the largest
contentful paint and the total blocking time.

    lighthouse_row.py REPORT.json NAME ADDRESS
"""

import json
import sys

path, name, address = sys.argv[1:4]
try:
    with open(path) as file:
        report = json.load(file)
except (OSError, ValueError):
    print(f"| {name} | `{address}` | no report | | |")
    sys.exit()
audits = report["audits"]
score = round(report["categories"]["performance"]["score"] * 100)
lcp = audits["largest-contentful-paint"]["numericValue"] / 1000
tbt = audits["total-blocking-time"]["numericValue"]
print(f"| {name} | `{address}` | {score} | {lcp:.1f} s | {tbt:.0f} ms |")
