#!/usr/bin/env bash
# Database work per page, with the page cache off: serves the demo blog and WordPress's theme
# unit test data with pg_stat_statements on, asks for each kind of page, and prints
# - statements: how many statements PostgreSQL ran to answer it (the fewest of three tries, so
#   that a background task's statement does not count); statements that run at the same time
#   (the sidebar's five, say) count one each;
# - round trips: how many times the page waited for PostgreSQL, one wait after another. A second
#   server reaches the same database through bench/slow_link.py, which holds whatever it sends
#   for 40 ms; the page's extra time there (the fastest of seven), divided by 40 ms, is that count.
#
#   make debug-build && bench/queries.sh        # FIELDNOTES=target/release/fieldnotes for release
set -euo pipefail
cd "$(dirname "$0")/.."

binary=${FIELDNOTES:-target/debug/fieldnotes}
data=target/bench/queries
port=${PORT:-3210}
slow_port=$((port + 1))
proxy_port=$((port + 2))
delay_ms=40
[ -x "$binary" ] || { echo "build first: make debug-build" >&2; exit 1; }
source bench/common.sh

rm -rf "$data"
"$binary" import --data-dir "$data" fixtures/demo.wxr >/dev/null
"$binary" import --data-dir "$data" fixtures/wordpress/themeunittestdata.wordpress.xml >/dev/null
"$binary" exec --superuser --data-dir "$data" -- psql -XAtq \
  -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'" 2>/dev/null

"$binary" serve --data-dir "$data" --addr "127.0.0.1:$port" --no-demo --page-cache-mb 0 \
  >"$data.log" 2>&1 &
server=$!
"$binary" exec --data-dir "$data" -- bench/slow_link.py "$proxy_port" "$delay_ms" >"$data.proxy" &
stop() {
  kill -INT "$server" "${slow_server:-}" 2>/dev/null || true
  pkill -f "slow_link.py $proxy_port" || true
  wait
}
trap stop EXIT
await "http://127.0.0.1:$port/"
# Straight to the running cluster, so that these statements are not the blog's own.
superuser_url=$("$binary" exec --superuser --data-dir "$data" -- printenv DATABASE_URL)
as_superuser() { psql -XAtq -d "$superuser_url" -c "$1" 2>/dev/null; }
for _ in $(seq 60); do [ -s "$data.proxy" ] && break; sleep 0.5; done
DATABASE_URL=$(head -n1 "$data.proxy") "$binary" serve --addr "127.0.0.1:$slow_port" --no-demo \
  --page-cache-mb 0 >"$data.slow.log" 2>&1 &
slow_server=$!
await "http://127.0.0.1:$slow_port/"
as_superuser "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"

post=$(as_superuser "SELECT slug FROM public_posts ORDER BY published_at DESC LIMIT 1")
category=$(as_superuser "SELECT c.slug FROM categories c JOIN listing_totals t ON t.scope = 'category' AND t.scope_id = c.id ORDER BY t.post_count DESC LIMIT 1")
statements() {
  as_superuser "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements
                WHERE userid = 'fieldnotes'::regrole AND query NOT ILIKE '%pg_stat_statements%'"
}

# The shortest time of seven requests for a path, in milliseconds, after twenty that let the
# server open its connections and prepare its statements on each (a statement's first use on a
# connection costs a round trip more).
fastest_ms() {
  for _ in $(seq 20); do curl -s -o /dev/null "$1"; done
  for _ in $(seq 7); do curl -s -o /dev/null -w '%{time_total}\n' "$1"; done |
    sort -n | head -n1 | awk '{ printf "%d", $1 * 1000 }'
}

echo
echo "Statements and round trips to PostgreSQL per page, with the page cache off (\`bench/queries.sh\`,"
echo "${binary#target/} build; target: at most three round trips):"
echo
echo "| address | statements | round trips | met |"
echo "| --- | --- | --- | --- |"
for path in / "/posts/$post" /tag/8bit "/category/$category" /author/themedemos /archive/2009/04 \
  "/posts?author=themedemos&tag=content-2" "/search?q=recycling" /feed.xml /sitemap.xml \
  /api/v1/posts "/api/v1/posts/$post"; do
  fewest=
  for _ in 1 2 3; do
    as_superuser "SELECT pg_stat_statements_reset()" >/dev/null
    curl -s -o /dev/null "http://127.0.0.1:$port$path"
    count=$(statements)
    if [ -z "$fewest" ] || [ "$count" -lt "$fewest" ]; then fewest=$count; fi
  done
  direct=$(fastest_ms "http://127.0.0.1:$port$path")
  slow=$(fastest_ms "http://127.0.0.1:$slow_port$path")
  round_trips=$(awk -v d="$direct" -v s="$slow" -v l="$delay_ms" 'BEGIN { printf "%.1f", (s - d) / l }')
  met=$(awk -v r="$round_trips" 'BEGIN { print (r < 3.5) ? "yes" : "**no**" }')
  printf '| `%s` | %s | %s | %s |\n' "$path" "$fewest" "$round_trips" "$met"
done
