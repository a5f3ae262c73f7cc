# What the benchmark scripts share; each sources it after setting `binary` (the fieldnotes
# executable) and `data` (the benchmarked blog's data directory).

# Waits until URL answers, for at most a minute, else stops the script saying so.
await() {
  for _ in $(seq 120); do
    curl -s -o /dev/null "$1" && return
    sleep 0.5
  done
  echo "no answer from $1 after a minute" >&2
  exit 1
}

# The answer to a query of the benchmarked blog's database, asked as the blog's own role.
as_blog() { "$binary" exec --data-dir "$data" -- psql -XAtq -c "$1" 2>/dev/null; }
