#!/usr/bin/env bash
# Builds the islands bundle into assets/pkg/ with content-hashed names, and writes the loader's
# path to target/pkg/boot-path (the worker build embeds it). Called by `make bundle`.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${WASM_FEATURES:?run through make bundle, which sets it}"
: "${WASM_OPT_SIZE:?run through make bundle, which sets it}"
: "${ESBUILD_BIN:?run through make bundle, which sets it}"
out=target/pkg
rm -rf "$out/raw" && mkdir -p "$out/raw"
cargo build -q -p app --lib --release --target wasm32-unknown-unknown --no-default-features --features hydrate
"$WASM_BINDGEN_BIN" --target web --no-typescript --out-dir "$out/raw" --out-name app \
  target/wasm32-unknown-unknown/release/app.wasm
"$WASM_OPT_BIN" $WASM_OPT_SIZE $WASM_FEATURES "$out/raw/app_bg.wasm" -o "$out/raw/app_bg.names.wasm"
# Only code and data go to browsers: no function names, no producers section. The twin with
# names stays in target/pkg/raw/ for `wasm-size`.
"$WASM_OPT_BIN" $WASM_FEATURES --strip-debug --strip-producers \
  "$out/raw/app_bg.names.wasm" -o "$out/raw/app_bg.opt.wasm"

# wasm-bindgen's glue as browsers get it: minified (41 KB → 19 KB raw, 7.7 → 5.9 KB gzipped).
"$ESBUILD_BIN" "$out/raw/app.js" --minify --format=esm --log-level=warning --outfile="$out/raw/app.min.js"

hash() { sha256sum "$1" | cut -c1-12; }
js_hash=$(hash "$out/raw/app.min.js")
wasm_hash=$(hash "$out/raw/app_bg.opt.wasm")
rm -rf assets/pkg && mkdir -p assets/pkg
cp "$out/raw/app.min.js" "assets/pkg/app-$js_hash.js"
cp "$out/raw/app_bg.opt.wasm" "assets/pkg/app-$wasm_hash.wasm"
sed -e "s|__APP_JS__|/pkg/app-$js_hash.js|" -e "s|__APP_WASM__|/pkg/app-$wasm_hash.wasm|" app/boot.js > "$out/raw/boot.js"
boot_hash=$(hash "$out/raw/boot.js")
cp "$out/raw/boot.js" "assets/pkg/boot-$boot_hash.js"
echo "/pkg/boot-$boot_hash.js" > "$out/boot-path"
for f in assets/pkg/*; do
  printf 'bundle: %-40s %8d bytes, %7d gzipped\n' "$f" "$(stat -c %s "$f")" "$(gzip -9c "$f" | wc -c)"
done
