#!/usr/bin/env bash
# Writing at once: writers publishing new posts through the JSON API at the same time
# (bench/publish.lua), each post by one of four authors and filed under three of twenty tags, so
# that every post counts itself in the listing counts other posts count themselves in too (the
# whole blog's, its month's, its author's, its tags'). For 1, 8 and 32 connections: posts
# published a second, median and p99 latency, the answers other than 201 and the requests
# unanswered within 30 s. Then the listing counts are checked against the listings they count,
# and each post's kept names and comment count against its filings and comments.
#
# `make bench` runs it after the reading benchmarks and adds its table to bench/results.md.
# DURATION=10s by default.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${DURATION:-10s}
port=${PORT:-3230}
binary=${FIELDNOTES:-target/release/fieldnotes}
data=target/bench/writes
results=bench/results.md

[ -x "$binary" ] || { echo "build first: make build" >&2; exit 1; }
source bench/common.sh
scripts/install-tools.sh bench

rm -rf "$data"
"$binary" import --data-dir "$data" fixtures/demo.wxr >/dev/null
tokens=""
for writer in 1 2 3 4; do
  echo "bench-writer-password-$writer" |
    "$binary" user add --data-dir "$data" --email "writer-$writer@example.org" \
      --name "Writer $writer" --role author --password-stdin >/dev/null
  tokens="$tokens $("$binary" user token --data-dir "$data" --name bench "writer-$writer@example.org")"
done

export RUST_LOG="${RUST_LOG:-warn}"
"$binary" serve --data-dir "$data" --addr "127.0.0.1:$port" --no-demo >"$data.log" 2>&1 &
server=$!
stop() {
  kill -INT "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
}
trap stop EXIT
await "http://127.0.0.1:$port/"

{
  echo
  echo "## Writing at once"
  echo
  echo "New posts published through the JSON API (\`bench/writes.sh\`: four authors, three of twenty"
  echo "tags a post, wrk -t1 for $duration at each number of connections), on the release build."
  echo
  echo "| connections | posts a second | p50 | p99 | answers other than 201 | unanswered in 30 s |"
  echo "|---|---|---|---|---|---|"
} | tee -a "$results"
for connections in 1 8 32; do
  TOKENS=$tokens RUN=$connections wrk -t1 -c"$connections" -d"$duration" --timeout 30s --latency \
    -s bench/publish.lua "http://127.0.0.1:$port/api/v1/posts" |
    awk -v c="$connections" '
      /Requests\/sec/ {rate=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {other=$NF}
      /Socket errors/ {timeouts=$NF}
      END {printf "| %s | %.0f | %s | %s | %d | %d |\n", c, rate, p50, p99, other, timeouts}' |
    tee -a "$results"
done

drift=$(as_blog "SELECT listing_counts_that_differ()")
names_drift=$(as_blog "SELECT post_names_that_differ()")
published=$(as_blog "SELECT count(*) FROM posts WHERE title LIKE 'Written at once %'")
{
  echo
  echo "$published posts published in all; listing counts that differ from the listings: $drift;"
  echo "posts whose kept names differ from their filings and comments: $names_drift."
} | tee -a "$results"
[ "$drift" = 0 ] || { echo "the listing counts drifted" >&2; exit 1; }
[ "$names_drift" = 0 ] || { echo "the posts' kept names drifted" >&2; exit 1; }
