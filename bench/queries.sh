#!/usr/bin/env bash
# Database statements per page: serves the demo blog and WordPress's theme unit test data with
# pg_stat_statements on, asks for each kind of page, and prints how many statements PostgreSQL
# ran to answer it (the fewest of three tries, so that a background task's statement does not
# count). Statements that run at the same time (the sidebar's five, say) count one each here.
#
#   make debug-build && bench/queries.sh        # FIELDNOTES=target/release/fieldnotes for release
set -euo pipefail
cd "$(dirname "$0")/.."

binary=${FIELDNOTES:-target/debug/fieldnotes}
data=target/bench/queries
port=${PORT:-3210}
[ -x "$binary" ] || { echo "build first: make debug-build" >&2; exit 1; }

rm -rf "$data"
"$binary" import --data-dir "$data" fixtures/demo.wxr >/dev/null
"$binary" import --data-dir "$data" fixtures/wordpress/themeunittestdata.wordpress.xml >/dev/null
as_superuser() { "$binary" exec --superuser --data-dir "$data" -- psql -XAtq -c "$1" 2>/dev/null; }
as_superuser "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"

"$binary" serve --data-dir "$data" --addr "127.0.0.1:$port" --no-demo >"$data.log" 2>&1 &
server=$!
trap 'kill -INT $server; wait $server' EXIT
for _ in $(seq 120); do
  curl -s -o /dev/null "http://127.0.0.1:$port/" && break
  sleep 0.5
done
as_superuser "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"

post=$(as_superuser "SELECT slug FROM public_posts ORDER BY published_at DESC LIMIT 1")
category=$(as_superuser "SELECT c.slug FROM categories c JOIN listing_totals t ON t.scope = 'category' AND t.scope_id = c.id ORDER BY t.post_count DESC LIMIT 1")
statements() {
  as_superuser "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements
                WHERE userid = 'fieldnotes'::regrole AND query NOT ILIKE '%pg_stat_statements%'"
}

printf '%-50s %s\n' "address" "statements"
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
  printf '%-50s %s\n' "$path" "$fewest"
done
