# Fieldnotes: `make run` serves the blog on http://127.0.0.1:3000, `make test` runs every test.
# Both install what they need first (see scripts/install-tools.sh).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

export PATH := $(CURDIR)/.tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# Queries are checked at compile time against the committed .sqlx/ data, never against whatever
# database DATABASE_URL happens to name.
export SQLX_OFFLINE := true

DEBUG_BINARY := target/debug/fieldnotes
# The post editor's JavaScript (Tiptap), bundled from frontend/editor into the site's files.
EDITOR_BUNDLE := public/editor/editor.js

# Everything the release build is made from. When none of it changed since the last release
# build, `make run` starts the server at once instead of running the build (whose WebAssembly
# steps take a minute even when nothing changed).
BUILD_INPUTS := Cargo.toml Cargo.lock .cargo/config.toml \
	$(shell find app server frontend style public migrations .sqlx fixtures/demo.wxr \
		-path frontend/editor/node_modules -prune -o -type f -print)
RELEASE_BUILD := target/release/.fieldnotes-built

.PHONY: run build test bench tools test-tools lint debug-build editor-tests rust-tests query-data-check api-fuzz end-to-end query-data

## run: build for release and serve the blog on http://127.0.0.1:3000 (Ctrl-C stops it)
run: build
	./target/release/fieldnotes serve

## build: the release build: target/release/fieldnotes and the front end in target/site
build: tools $(RELEASE_BUILD)

$(RELEASE_BUILD): $(BUILD_INPUTS) $(EDITOR_BUNDLE)
	cargo leptos build --release --precompress
	touch $@

## bench: the release build's reading speed against nginx serving the same bytes, on the demo blog
## and on a generated blog of a million posts; Lighthouse in Chromium; the site's files; `make run`'s
## start; statements and round trips per page; writers publishing at once. All into
## bench/results.md, followed by what stands in the way of the targets not met (bench/misses.md)
bench: build
	bench/pages.sh demo
	bench/pages.sh million
	FIELDNOTES=target/release/fieldnotes bench/queries.sh | tee -a bench/results.md
	bench/writes.sh
	cat bench/misses.md >>bench/results.md

## test: formatting, lints, unit and integration tests, then the end-to-end tests in Chromium
test: test-tools lint debug-build editor-tests rust-tests query-data-check api-fuzz end-to-end

tools:
	@scripts/install-tools.sh build

test-tools:
	@scripts/install-tools.sh test

lint:
	cargo fmt --all --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

# The debug server binary and front end, which the integration and end-to-end tests run. The
# debug front end replaces the release one in target/site, so the release build is made again
# before the next `make run`.
debug-build: $(EDITOR_BUNDLE)
	rm -f $(RELEASE_BUILD)
	cargo leptos build

$(EDITOR_BUNDLE): frontend/editor/package-lock.json $(wildcard frontend/editor/src/*.js)
	cd frontend/editor && npm run build --silent

editor-tests:
	cd frontend/editor && npm test

# Every test gets a fresh database (#[sqlx::test]) in a private cluster kept in target/test-data,
# made as the cluster's superuser: the blog's own role may create no databases.
# Tests run one at a time: the load tests put servers under as much load as the machine takes
# and count the answers that said "busy", which a test running beside them would change.
rust-tests:
	rm -rf target/test-data
	$(DEBUG_BINARY) exec --superuser --data-dir target/test-data -- cargo test -- --test-threads=1

# Fails when .sqlx/ no longer matches the queries in the code and the schema in migrations/. As
# the superuser, who may describe the queries that set up the blog's role too.
query-data-check:
	rm -rf target/test-data
	$(DEBUG_BINARY) exec --superuser --data-dir target/test-data -- cargo sqlx prepare --workspace --check

# Property-based tests of the JSON API against its OpenAPI document.
api-fuzz:
	tests/api-fuzz/run.sh

# The test servers run private PostgreSQL clusters of their own: a DATABASE_URL in the
# developer's environment must not send them to a real database.
end-to-end:
	rm -rf target/e2e
	cd end2end && env -u DATABASE_URL npx playwright test

## query-data: regenerate .sqlx/ after changing a query or a migration
query-data: debug-build
	rm -rf target/test-data
	$(DEBUG_BINARY) exec --superuser --data-dir target/test-data -- cargo sqlx prepare --workspace
