#!/usr/bin/env bash
# Listing speed at scale: serves a generated blog of a million posts (or POSTS) from the release
# build and loads each kind of page with wrk, reporting each against the home page measured in
# the same run. Deep pages and filters should cost about what the first page costs.
#
#   make build && bench/listings.sh          # POSTS=1000000 DURATION=10s by default
set -euo pipefail
cd "$(dirname "$0")/.."

posts=${POSTS:-1000000}
duration=${DURATION:-10s}
port=${PORT:-3200}
data=target/bench/data-$posts
binary=target/release/fieldnotes

[ -x "$binary" ] || { echo "build first: make build" >&2; exit 1; }
command -v wrk >/dev/null || { echo "==> installing wrk (Debian's package)"; apt-get install -y -qq wrk; }

if [ ! -d "$data" ]; then
  echo "==> generating a blog of $posts posts in $data (a few minutes)"
  "$binary" exec --data-dir "$data" -- psql --quiet -v posts="$posts" -f bench/blog-data.sql
fi

"$binary" serve --data-dir "$data" --addr "127.0.0.1:$port" --no-demo >"$data.log" 2>&1 &
server=$!
trap 'kill -INT $server; wait $server' EXIT
until curl -s -o /dev/null "http://127.0.0.1:$port/"; do sleep 0.5; done

last_page=$(( (posts + 9) / 10 ))
pages=(
  "/"
  "/?page=$(( last_page / 2 ))"
  "/?page=$last_page"
  "/tag/tag-7"
  "/tag/tag-7?page=100"
  "/category/section-3"
  "/category/section-3?page=5000"
  "/author/author-5?page=2500"
  "/archive/2014/06?page=300"
  "/posts?tag=tag-7&author=author-10"
  "/posts?tag=tag-7&category=section-3&page=3"
  "/posts/post-$(( posts / 3 ))"
  "/feed.xml"
  "/tag/tag-7/feed.xml"
)

printf '%-45s %8s %10s %10s %8s\n' page status req/s latency ratio
baseline=""
for page in "${pages[@]}"; do
  status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$page")
  result=$(wrk -t2 -c8 -d"$duration" "http://127.0.0.1:$port$page")
  rate=$(awk '/Requests\/sec/ {print $2}' <<<"$result")
  latency=$(awk '/Latency/ {print $2; exit}' <<<"$result")
  baseline=${baseline:-$rate}
  ratio=$(awk -v r="$rate" -v b="$baseline" 'BEGIN { printf "%.2f", r / b }')
  printf '%-45s %8s %10s %10s %8s\n' "$page" "$status" "$rate" "$latency" "$ratio"
done
