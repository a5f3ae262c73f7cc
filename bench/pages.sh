#!/usr/bin/env bash
# Reading speed against a static-file baseline: serves a blog from the release build, saves each
# kind of page's bytes to a file that nginx serves, and loads both with wrk in the same run. The
# ratio is Fieldnotes' requests a second over nginx's for the same bytes. A second server with
# the page cache off shows what answers cost when they are made afresh.
#
#   bench/pages.sh demo      the demo blog and WordPress's theme unit test data; also Lighthouse
#                            in Chromium and the size of what pages download. Starts
#                            bench/results.md.
#   bench/pages.sh million   a generated blog of a million posts (bench/blog-data.sql, made once,
#                            a few minutes): deep pages, filters, searches. Adds to the results.
#
# `make bench` runs both. DURATION=10s CONNECTIONS=64 by default.
set -euo pipefail
cd "$(dirname "$0")/.."

blog=${1:-demo}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
port=${PORT:-3220}
static_port=$((port + 1))
uncached_port=$((port + 2))
binary=target/release/fieldnotes
static=target/bench/static-$blog
results=bench/results.md

[ -x "$binary" ] || { echo "build first: make build" >&2; exit 1; }
source bench/common.sh
scripts/install-tools.sh bench
lighthouse_version=12.2.3
if ! have_lighthouse=$(.tools/node_modules/.bin/lighthouse --version 2>/dev/null) ||
  [ "$have_lighthouse" != "$lighthouse_version" ]; then
  echo "==> installing lighthouse@$lighthouse_version (npm) into .tools/"
  npm install --silent --no-audit --no-fund --prefix .tools -E "lighthouse@$lighthouse_version"
fi

case $blog in
  demo)
    data=target/bench/pages
    if [ ! -d "$data" ]; then
      "$binary" import --data-dir "$data" fixtures/demo.wxr >/dev/null
      "$binary" import --data-dir "$data" fixtures/wordpress/themeunittestdata.wordpress.xml >/dev/null
    fi
    ;;
  million)
    posts=1000000
    data=target/bench/data-$posts
    # As the cluster's superuser, who may switch the row triggers off while the rows go in.
    as_superuser() { "$binary" exec --superuser --data-dir "$data" -- psql -XAtq "$@"; }
    if [ "$(as_superuser -c "SELECT count(*) FROM posts" 2>/dev/null || echo 0)" = 0 ]; then
      echo "==> generating a blog of $posts posts in $data (a few minutes)"
      as_superuser -v posts="$posts" -f bench/blog-data.sql
    fi
    ;;
  *)
    echo "usage: bench/pages.sh demo|million" >&2
    exit 2
    ;;
esac
# Each request is logged at the info level; the servers under load log warnings only, so that
# the figures measure serving rather than writing the log.
export RUST_LOG="${RUST_LOG:-warn}"
"$binary" serve --data-dir "$data" --addr "127.0.0.1:$port" --no-demo >"$data.log" 2>&1 &
server=$!
"$binary" serve --data-dir "$data" --addr "127.0.0.1:$uncached_port" --no-demo --page-cache-mb 0 \
  >"$data.uncached.log" 2>&1 &
uncached=$!
nginx_pid=
stop() {
  kill -INT "$server" "$uncached" 2>/dev/null || true
  wait "$server" "$uncached" 2>/dev/null || true
  [ -z "$nginx_pid" ] || kill "$nginx_pid" 2>/dev/null || true
}
trap stop EXIT
await "http://127.0.0.1:$port/"
await "http://127.0.0.1:$uncached_port/"

post=$(as_blog "SELECT slug FROM public_posts ORDER BY published_at DESC LIMIT 1")
if [ "$blog" = demo ]; then
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
else
  pages=(
    "home|/"
    "page 50,000|/?page=50000"
    "last page|/?page=100000"
    "post|/posts/post-333333"
    "tag|/tag/tag-7"
    "tag, page 100|/tag/tag-7?page=100"
    "category, page 5,000|/category/section-3?page=5000"
    "author, page 2,500|/author/author-5?page=2500"
    "month, page 300|/archive/2014/06?page=300"
    "tag and author|/posts?tag=tag-7&author=author-10"
    "tag and category, page 3|/posts?tag=tag-7&category=section-3&page=3"
    "search, English|/search?q=recycling"
    "search, Chinese|/search?q=%E5%AE%81%E6%B3%A2"
    "RSS feed|/feed.xml"
    "tag feed|/tag/tag-7/feed.xml"
    "sitemap|/sitemap.xml"
    "API list|/api/v1/posts"
    "API tag|/api/v1/posts?tag=tag-7"
    "API post|/api/v1/posts/post-333333"
  )
fi

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

load() { # URL [CONNECTIONS]: requests a second, median and p99 latency
  wrk -t1 -c"${2:-$connections}" -d"$duration" --latency "$1" |
    awk '/Requests\/sec/ {rate=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {print rate, p50, p99}'
}
milliseconds() { # a latency as wrk writes it (850.00us, 9.50ms, 1.02s)
  awk -v t="$1" 'BEGIN {
    if (t ~ /us$/) printf "%f", t / 1000; else if (t ~ /ms$/) printf "%f", t + 0;
    else if (t ~ /m$/) printf "%f", t * 60000; else printf "%f", t * 1000 }'
}
met() { # CONDITION as awk sees it, with the variables given after it: yes or no
  local condition=$1
  shift
  awk "$@" "BEGIN { print ($condition) ? \"yes\" : \"**no**\" }"
}

for entry in "${pages[@]}"; do
  curl -s -o "$static/files/${entry%%|*}.html" "http://127.0.0.1:$port${entry#*|}"
done
"$(command -v nginx || echo /usr/sbin/nginx)" -c "$PWD/$static/nginx.conf" &
nginx_pid=$!
sleep 1

if [ "$blog" = demo ]; then
  {
    echo "# Reading speed"
    echo
    echo "\`make bench\` (\`bench/pages.sh\`), $(date -u +%Y-%m-%d): the release build against nginx serving"
    echo "the same bytes from files, wrk -t1 -c$connections for $duration each, load generator on the"
    echo "same $(nproc)-core machine. Targets: at least 0.5 of nginx's rate, p99 under 10 ms."
    echo
    echo "## The demo blog and the theme unit test data"
  } >"$results"
else
  {
    echo
    echo "## A generated blog of a million posts"
  } >>"$results"
fi
{
  echo
  echo "| page | address | Fieldnotes req/s | p50 | p99 | nginx req/s | p99 | ratio | met |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
} >>"$results"
for entry in "${pages[@]}"; do
  name=${entry%%|*}
  path=${entry#*|}
  read -r rate p50 p99 < <(load "http://127.0.0.1:$port$path")
  file=$(printf '%s' "$name" | sed 's/ /%20/g; s/,/%2C/g')
  read -r static_rate _ static_p99 < <(load "http://127.0.0.1:$static_port/$file.html")
  ratio=$(awk -v r="$rate" -v s="$static_rate" 'BEGIN { printf "%.4f", r / s }')
  ok=$(met 'ratio >= 0.5 && p99 < 10' -v ratio="$ratio" -v p99="$(milliseconds "$p99")")
  printf '| %s | `%s` | %s | %s | %s | %s | %s | %s | %s |\n' \
    "$name" "$path" "$rate" "$p50" "$p99" "$static_rate" "$static_p99" "$ratio" "$ok" |
    tee -a "$results"
done
{
  echo
  echo "With the page cache off (\`--page-cache-mb 0\`), every answer made afresh:"
  echo
  echo "| page | address | Fieldnotes req/s | p50 | p99 |"
  echo "| --- | --- | --- | --- | --- |"
} | tee -a "$results"
for entry in "${pages[@]}"; do
  case ${entry%%|*} in home | post | "search, "* | "API list" | "API post") ;; *) continue ;; esac
  read -r rate p50 p99 < <(load "http://127.0.0.1:$uncached_port${entry#*|}")
  printf '| %s | `%s` | %s | %s | %s |\n' "${entry%%|*}" "${entry#*|}" "$rate" "$p50" "$p99" |
    tee -a "$results"
done
if [ "$blog" = demo ]; then
  read -r rate _ _ < <(load "http://127.0.0.1:$uncached_port/api/v1/posts")
  printf '\nThe API list without the cache, again: %s requests a second (target: 5,000; met: %s).\n' \
    "$rate" "$(met 'rate >= 5000' -v rate="$rate")" | tee -a "$results"
  # What this machine allows an answer that asks PostgreSQL anything, and one that asks nothing.
  read -r ready _ _ < <(load "http://127.0.0.1:$uncached_port/readyz")
  read -r alive _ _ < <(load "http://127.0.0.1:$uncached_port/healthz")
  printf 'For scale, in the same run: `/readyz` (one small statement) %s requests a second, `/healthz` (no statement) %s.\n' \
    "$ready" "$alive" | tee -a "$results"
else
  {
    echo
    echo "Searches one at a time (one connection) with the page cache off; target: p50 under 50 ms:"
    echo
    echo "| search | address | p50 | p99 | met |"
    echo "| --- | --- | --- | --- | --- |"
  } | tee -a "$results"
  for entry in "English|/search?q=recycling" "Chinese|/search?q=%E5%AE%81%E6%B3%A2" \
    "English, API|/api/v1/posts?q=recycling" "Chinese, API|/api/v1/posts?q=%E5%AE%81%E6%B3%A2" \
    "English, by a tag|/search?q=recycling&tag=tag-7"; do
    read -r _ p50 p99 < <(load "http://127.0.0.1:$uncached_port${entry#*|}" 1)
    printf '| %s | `%s` | %s | %s | %s |\n' "${entry%%|*}" "${entry#*|}" "$p50" "$p99" \
      "$(met 'p50 < 50' -v p50="$(milliseconds "$p50")")" | tee -a "$results"
  done
fi
resident_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$server/status")

{
  echo
  echo "The server's resident memory after the load: $((resident_kb / 1024)) MB (target: under" \
    "150 MB; met: $(met 'kb < 150 * 1024' -v kb="$resident_kb"))."
} | tee -a "$results"

# In the browser: Lighthouse's mobile preset in Debian's Chromium, with what each reading page
# downloads to run (its JavaScript and WebAssembly, as sent), and the size of the front end the
# writing pages load.
if [ "$blog" = demo ]; then
  {
    echo
    echo "In the browser (Lighthouse $lighthouse_version, mobile preset, Chromium; targets: performance at"
    echo "least 95, largest contentful paint under 2 s, total blocking time under 100 ms, at most 150 KB"
    echo "of JavaScript and WebAssembly downloaded to run the page):"
    echo
    echo "| page | address | performance | LCP | TBT | JS + WASM | met |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
  } | tee -a "$results"
  profile=$(mktemp -d)
  for entry in "home|/" "post|/posts/$post" "category|/category/classic" "tag|/tag/8bit" \
    "search|/search?q=recycling"; do
    # Scores move from run to run: the median of three.
    reports=()
    for run in 1 2 3; do
      report="$static/lighthouse-${entry%%|*}-$run.json"
      CHROME_PATH=/usr/bin/chromium timeout 180 .tools/node_modules/.bin/lighthouse \
        "http://127.0.0.1:$port${entry#*|}" --quiet --only-categories=performance \
        --output=json --output-path="$report" \
        --chrome-flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir=$profile" ||
        echo "lighthouse failed on ${entry#*|}" >&2
      reports+=("$report")
    done
    bench/lighthouse_row.py "${entry%%|*}" "${entry#*|}" "${reports[@]}" | tee -a "$results"
  done
  rm -rf "$profile"
  wasm_br=$(stat -c %s target/site/pkg/*.wasm.br | awk '{ total += $1 } END { print total }')
  js_br=$(stat -c %s target/site/pkg/*.js.br | awk '{ total += $1 } END { print total }')
  {
    echo
    echo "The front end the writing pages load (and reading pages do not), brotli:" \
      "$(((wasm_br + js_br) / 1024)) KB ($((wasm_br / 1024)) KB WebAssembly, $((js_br / 1024)) KB" \
      "JavaScript)."
  } | tee -a "$results"

  # The site's files: a content hash in each name, a year's immutable caching, and brotli made
  # when they were built.
  {
    echo
    echo "The site's files as a browser asking for brotli gets them:"
    echo
    echo "| file | Cache-Control | Content-Encoding | compressed at build time |"
    echo "| --- | --- | --- | --- |"
  } | tee -a "$results"
  for file in target/site/pkg/*.wasm target/site/pkg/*.js target/site/pkg/*.css; do
    headers=$(curl -s -o /dev/null -D - -H 'Accept-Encoding: br, gzip' \
      "http://127.0.0.1:$port/pkg/${file##*/}" | tr -d '\r')
    printf '| `%s` | %s | %s | %s |\n' "${file##*/}" \
      "$(awk -F': ' 'tolower($1) == "cache-control" {print $2}' <<<"$headers")" \
      "$(awk -F': ' 'tolower($1) == "content-encoding" {print $2}' <<<"$headers")" \
      "$([ -f "$file.br" ] && [ -f "$file.gz" ] && echo "brotli and gzip" || echo "**no**")" |
      tee -a "$results"
  done

  # `make run` on this unchanged build: from the command to the first page.
  run_port=$((port + 3))
  run_data=target/bench/make-run
  rm -rf "$run_data"
  {
    echo
    echo "\`make run\` on an unchanged build, from the command to the home page's 200 (target: within"
    echo "10 s):"
    echo
  } | tee -a "$results"
  for attempt in "a new blog (demo content imported)" "the same blog again"; do
    started=$(date +%s.%N)
    FIELDNOTES_DATA_DIR=$run_data FIELDNOTES_ADDR=127.0.0.1:$run_port setsid make --no-print-directory run \
      >"$run_data.log" 2>&1 &
    runner=$!
    for _ in $(seq 600); do
      [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$run_port/")" = 200 ] && break
      sleep 0.1
    done
    seconds=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
    kill -INT -- "-$runner" 2>/dev/null || true
    wait "$runner" 2>/dev/null || true
    printf -- '- %s: %s s (met: %s)\n' "$attempt" "$seconds" "$(met 's < 10' -v s="$seconds")" |
      tee -a "$results"
  done
fi
echo
echo "written to $results"
