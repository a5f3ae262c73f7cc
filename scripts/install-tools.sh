#!/usr/bin/env bash
# Installs what Fieldnotes needs to build, run and test, each only when it is missing.
# Everything comes from rustup, crates.io, npm and Debian's apt: nothing from anywhere else.
#
#   scripts/install-tools.sh build   wasm32 target, cargo-leptos, wasm-bindgen-cli, wasm-opt,
#                                    PostgreSQL's server programs, the post editor's npm packages
#   scripts/install-tools.sh test    the above, plus sqlx-cli, PgBouncer, Chromium, the
#                                    end-to-end tests' npm packages and schemathesis (PyPI)
#   scripts/install-tools.sh bench   the build's, plus Chromium, wrk and nginx
set -euo pipefail

CARGO_LEPTOS_VERSION=0.3.11
WASM_BINDGEN_VERSION=0.2.130
SQLX_CLI_VERSION=0.9.0
BINARYEN_VERSION=132.0.0

root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$tools/node_modules/.bin:$cargo_bin:$PATH"

say() { printf '==> %s\n' "$*"; }

apt_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}

have_version() { # command, expected version: true when `command --version` mentions it
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -q -F "$2"
}

# Some releases lock dependencies that no longer resolve with this toolchain, so the crate's
# source is unpacked, one lock entry adjusted, and installed from that path.
install_crate_from_source() { # crate, version, pinned dependency, its version, install flags...
  local crate=$1 version=$2 dependency=$3 precise=$4
  shift 4
  local work
  work=$(mktemp -d)
  curl -sSfL "https://static.crates.io/crates/$crate/$crate-$version.crate" | tar -xz -C "$work"
  (
    cd "$work/$crate-$version"
    cargo update -p "$dependency" --precise "$precise"
    CARGO_PROFILE_RELEASE_LTO=false cargo install --path . --locked --force "$@"
  )
  rm -rf "$work"
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! have_version wasm-bindgen "$WASM_BINDGEN_VERSION"; then
  say "building wasm-bindgen-cli $WASM_BINDGEN_VERSION from crates.io (first time only, about 5 minutes)"
  install_crate_from_source wasm-bindgen-cli "$WASM_BINDGEN_VERSION" webpki-roots 1.0.10
fi

if ! have_version cargo-leptos "$CARGO_LEPTOS_VERSION"; then
  say "building cargo-leptos $CARGO_LEPTOS_VERSION from crates.io (first time only, 15 to 25 minutes)"
  install_crate_from_source cargo-leptos "$CARGO_LEPTOS_VERSION" cargo-util-schemas 0.14.1 \
    --features no_downloads
fi

if ! have_version wasm-opt "version ${BINARYEN_VERSION%%.*}"; then
  say "installing wasm-opt (npm binaryen@$BINARYEN_VERSION) into .tools/"
  mkdir -p "$tools"
  npm install --silent --no-audit --no-fund --prefix "$tools" "binaryen@$BINARYEN_VERSION"
fi

if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  say "installing PostgreSQL's server programs (Debian's postgresql package)"
  apt_install postgresql
fi

editor="$root/frontend/editor"
if [ ! -d "$editor/node_modules" ] || [ "$editor/package-lock.json" -nt "$editor/node_modules/.package-lock.json" ]; then
  say "installing the post editor's npm packages (Tiptap, esbuild)"
  npm ci --silent --no-audit --no-fund --prefix "$editor"
fi

mode=${1:-build}
[ "$mode" != build ] || exit 0

if [ ! -x /usr/bin/chromium ]; then
  say "installing Chromium (Debian's chromium package)"
  apt_install chromium
fi

if [ "$mode" = bench ]; then
  for program in wrk nginx; do
    if ! command -v "$program" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$program" ]; then
      say "installing $program (Debian's $program package)"
      apt_install "$program"
    fi
  done
  exit 0
fi

if ! have_version sqlx "$SQLX_CLI_VERSION"; then
  say "building sqlx-cli $SQLX_CLI_VERSION from crates.io (first time only, about 3 minutes)"
  cargo install sqlx-cli --version "$SQLX_CLI_VERSION" --no-default-features \
    --features postgres,rustls --locked
fi

if [ ! -x /usr/sbin/pgbouncer ]; then
  say "installing PgBouncer for the connection pooler test (Debian's pgbouncer package)"
  apt_install pgbouncer
fi

fuzz="$root/tests/api-fuzz/requirements.txt"
if [ ! -x "$tools/schemathesis/bin/st" ] || [ "$fuzz" -nt "$tools/schemathesis/bin/st" ]; then
  say "installing schemathesis (PyPI) into .tools/schemathesis"
  python3 -m venv "$tools/schemathesis"
  "$tools/schemathesis/bin/pip" install --quiet --disable-pip-version-check -r "$fuzz"
  touch "$tools/schemathesis/bin/st"
fi

e2e="$root/end2end"
if [ ! -d "$e2e/node_modules" ] || [ "$e2e/package-lock.json" -nt "$e2e/node_modules/.package-lock.json" ]; then
  say "installing the end-to-end tests' npm packages"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --no-audit --no-fund --prefix "$e2e"
fi
