#!/usr/bin/env bash
# Reading speed against a static-file baseline: serves the demo blog and WordPress's theme unit
# test data from the release build, saves each kind of page's bytes to a file that nginx serves,
# and loads both with wrk in the same run; writes the figures to bench/results.md. The ratio is
# Fieldnotes' requests a second over nginx's for the same bytes.
#
#   make bench        # DURATION=10s CONNECTIONS=64 by default
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
port=${PORT:-3220}
static_port=$((port + 1))
binary=target/release/fieldnotes
data=target/bench/pages
static=target/bench/static
results=bench/results.md

[ -x "$binary" ] || { echo "build first: make build" >&2; exit 1; }
need() { # command, Debian package
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || {
    echo "==> installing $2 (Debian's package)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  }
}
need wrk wrk
need nginx nginx

if [ ! -d "$data" ]; then
  "$binary" import --data-dir "$data" fixtures/demo.wxr >/dev/null
  "$binary" import --data-dir "$data" fixtures/wordpress/themeunittestdata.wordpress.xml >/dev/null
fi
"$binary" serve --data-dir "$data" --addr "127.0.0.1:$port" --no-demo >"$data.log" 2>&1 &
server=$!
nginx_pid=
stop() {
  kill -INT "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  [ -z "$nginx_pid" ] || kill "$nginx_pid" 2>/dev/null || true
}
trap stop EXIT
for _ in $(seq 120); do
  curl -s -o /dev/null "http://127.0.0.1:$port/" && break
  sleep 0.5
done

as_blog() { "$binary" exec --data-dir "$data" -- psql -XAtq -c "$1" 2>/dev/null; }
post=$(as_blog "SELECT slug FROM public_posts ORDER BY published_at DESC LIMIT 1")
pages=(
  "home|/"
  "post|/posts/$post"
  "tag|/tag/8bit"
  "category|/category/classic"
  "author|/author/themedemos"
  "month|/archive/2009/04"
  "combined filters|/posts?author=themedemos&tag=content-2"
  "search|/search?q=recycling"
  "RSS feed|/feed.xml"
  "sitemap|/sitemap.xml"
  "API list|/api/v1/posts"
  "API post|/api/v1/posts/$post"
)

rm -rf "$static" && mkdir -p "$static/files"
cat >"$static/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $PWD/$static/nginx.pid;
error_log $PWD/$static/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  types { text/html html; }
  server {
    listen 127.0.0.1:$static_port;
    root $PWD/$static/files;
  }
}
CONF

load() { # URL: requests a second and p99 latency
  wrk -t1 -c"$connections" -d"$duration" --latency "$1" |
    awk '/Requests\/sec/ {rate=$2} /^ +99%/ {p99=$2} END {print rate, p99}'
}

for entry in "${pages[@]}"; do
  curl -s -o "$static/files/${entry%%|*}.html" "http://127.0.0.1:$port${entry#*|}"
done
"$(command -v nginx || echo /usr/sbin/nginx)" -c "$PWD/$static/nginx.conf" &
nginx_pid=$!
sleep 1

{
  echo "# Reading speed"
  echo
  echo "$(date -u +%Y-%m-%d), \`bench/pages.sh\`: the release build serving the demo blog and the theme"
  echo "unit test data, against nginx serving the same bytes from files, wrk -t1 -c$connections for"
  echo "$duration each, load generator on the same $(nproc)-core machine."
  echo
  echo "| page | address | Fieldnotes req/s | p99 | nginx req/s | p99 | ratio |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
} >"$results"
for entry in "${pages[@]}"; do
  name=${entry%%|*}
  path=${entry#*|}
  read -r rate p99 < <(load "http://127.0.0.1:$port$path")
  file=$(printf '%s' "$name" | sed 's/ /%20/g')
  read -r static_rate static_p99 < <(load "http://127.0.0.1:$static_port/$file.html")
  ratio=$(awk -v r="$rate" -v s="$static_rate" 'BEGIN { printf "%.4f", r / s }')
  printf '| %s | `%s` | %s | %s | %s | %s | %s |\n' \
    "$name" "$path" "$rate" "$p99" "$static_rate" "$static_p99" "$ratio" | tee -a "$results"
done
resident_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$server/status")
{
  echo
  echo "The server's resident memory after the load: $((resident_kb / 1024)) MB."
} | tee -a "$results"
echo
echo "written to $results"
