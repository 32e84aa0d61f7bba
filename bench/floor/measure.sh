#!/usr/bin/env bash
# Builds the smallest Leptos islands bundle (one island: a signal, a click handler, a reactive
# text), without and with one String prop, through the same steps and settings as the shop's
# islands (scripts/bundle.sh), and prints its size. Run from the repository: `make tools` first.
set -euo pipefail
cd "$(dirname "$0")"
root=../..
export CARGO_TARGET_DIR="$root/target/floor"
features="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue"
out="$CARGO_TARGET_DIR/out"
for variant in "" props; do
  cargo build -q --lib --release --target wasm32-unknown-unknown ${variant:+--features $variant}
  rm -rf "$out" && mkdir -p "$out"
  "${WASM_BINDGEN_BIN:-wasm-bindgen}" --target web --no-typescript --out-dir "$out" --out-name app \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/floor.wasm"
  "$root/node_modules/.bin/wasm-opt" -Oz --low-memory-unused $features "$out/app_bg.wasm" -o "$out/named.wasm"
  "$root/node_modules/.bin/wasm-opt" $features --strip-debug --strip-producers "$out/named.wasm" -o "$out/app.wasm"
  "$root/node_modules/.bin/esbuild" "$out/app.js" --minify --format=esm --log-level=warning --outfile="$out/app.min.js"
  echo "${variant:-no props}: wasm $(stat -c %s "$out/app.wasm") bytes, $(gzip -9c "$out/app.wasm" | wc -c) gzipped;" \
    "glue $(gzip -9c "$out/app.min.js" | wc -c) gzipped"
done
