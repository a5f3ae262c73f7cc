#!/usr/bin/env bash
# Property-based testing of the JSON API with schemathesis: serves the debug build with the demo
# blog and WordPress's theme unit test data, and checks every generated request's answer against
# the OpenAPI document (no server errors, schema-conforming bodies, right content types...).
set -euo pipefail
cd "$(dirname "$0")/../.."

# The server runs a private PostgreSQL cluster, whatever DATABASE_URL the caller has set.
unset DATABASE_URL
binary=target/debug/fieldnotes
data=target/api-fuzz
port=${API_FUZZ_PORT:-3102}
schemathesis=.tools/schemathesis/bin/st

rm -rf "$data"
"$binary" import --data-dir "$data" fixtures/demo.wxr >/dev/null
"$binary" import --data-dir "$data" fixtures/wordpress/themeunittestdata.wordpress.xml >/dev/null
# The writing operations are fuzzed as an editor, through a personal API token.
echo 'fuzzing password' | "$binary" user add --data-dir "$data" --email editor@example.org \
  --name Editor --role editor --password-stdin >/dev/null
token=$("$binary" user token --data-dir "$data" editor@example.org --name api-fuzz)
"$binary" serve --data-dir "$data" --addr "127.0.0.1:$port" >"$data.log" 2>&1 &
server=$!
trap 'kill -INT $server; wait $server' EXIT
deadline=$((SECONDS + 180))
until curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$port/api/openapi.json"; do
  kill -0 $server 2>/dev/null || { cat "$data.log" >&2; exit 1; }
  if ((SECONDS > deadline)); then
    cat "$data.log" >&2
    echo "the server did not answer within 180 seconds" >&2
    exit 1
  fi
  sleep 0.5
done

SCHEMATHESIS_HOOKS=tests/api-fuzz/hooks.py "$schemathesis" --config-file tests/api-fuzz/schemathesis.toml \
  run "http://127.0.0.1:$port/api/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks all --max-time "${API_FUZZ_SECONDS:-90}" --workers 2 --no-color
