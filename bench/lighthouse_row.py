#!/usr/bin/env python3
"""One row of bench/results.md from Lighthouse JSON reports of one page: the median run's
performance score, largest contentful paint and total blocking time, what the page downloaded
to run (its JavaScript and WebAssembly, as sent over the network), and whether they meet the
targets (at least 95, under 2 s, under 100 ms, at most 150 KB).

    lighthouse_row.py NAME ADDRESS REPORT.json...
"""

import json
import sys

MAX_CODE_BYTES = 150 * 1024

name, address, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
runs = []
for path in paths:
    try:
        with open(path) as file:
            report = json.load(file)
    except (OSError, ValueError):
        continue
    if report.get("runtimeError") or report["categories"]["performance"]["score"] is None:
        continue
    audits = report["audits"]
    code_bytes = sum(
        request.get("transferSize", 0)
        for request in audits["network-requests"]["details"]["items"]
        if request["url"].split("?")[0].endswith((".js", ".wasm"))
    )
    runs.append(
        (
            round(report["categories"]["performance"]["score"] * 100),
            audits["largest-contentful-paint"]["numericValue"] / 1000,
            audits["total-blocking-time"]["numericValue"],
            code_bytes,
        )
    )
if not runs:
    print(f"| {name} | `{address}` | no report | | | | **no** |")
    sys.exit()
score, lcp, tbt, code = sorted(runs)[len(runs) // 2]
met = "yes" if score >= 95 and lcp < 2 and tbt < 100 and code <= MAX_CODE_BYTES else "**no**"
print(f"| {name} | `{address}` | {score} | {lcp:.1f} s | {tbt:.0f} ms | {code / 1024:.0f} KB | {met} |")
