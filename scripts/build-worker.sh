#!/usr/bin/env bash
# Builds the Worker into worker/build/: the wasm (cargo, then wasm-bindgen's ES module glue),
# bundled with our entry point (worker/js/entry.mjs) by esbuild, then the deployed wasm cut
# down to code and data. Called by `make worker`, which sets the tool paths.
#
#   worker/build/index.js          the entry and wasm-bindgen's glue, one minified module
#   worker/build/index_bg.wasm     what ships: island exports dropped, no names, wasm-opt -Oz
#   worker/build/worker/shim.mjs   the module wrangler.toml names as `main`
#   target/worker-names.wasm       the same code with its function names, for `wasm-size`
set -euo pipefail
cd "$(dirname "$0")/.."
: "${WASM_FEATURES:?run through make worker, which sets it}"
: "${WASM_OPT_SIZE:?run through make worker, which sets it}"
: "${STOREFRONT_BOOT_JS:?the islands loader path (make bundle writes it to target/pkg/boot-path)}"

# One build at a time (`make worker` and wrangler's own build on a source change can overlap).
mkdir -p target
exec 9>target/.worker-build.lock
flock 9

glue=target/worker-glue
rm -rf "$glue" && mkdir -p "$glue"
cargo build -q -p storefront-worker --lib --release --target wasm32-unknown-unknown
# The reset function and the abort handler let the entry start a fresh instance after a panic.
"$WASM_BINDGEN_BIN" target/wasm32-unknown-unknown/release/storefront_worker.wasm \
  --out-dir "$glue" --out-name index --target module --no-typescript \
  --experimental-reset-state-function --force-enable-abort-handler
# workerd imports a wasm module with a plain `import`, not a source-phase one.
sed -i 's/^import source /import /' "$glue/index.js"
cp worker/js/entry.mjs "$glue/entry.mjs"
# The reset and abort machinery catches JavaScript exceptions in wasm (exception handling).
export WASM_FEATURES="$WASM_FEATURES --enable-exception-handling"

# One optimising pass keeping the names, then the islands' hydration entry points (exported by
# every wasm32 build of the app, the server's included, where nothing calls them) dropped with
# the code only they reach; the pass first leaves about 3 KB less gzipped after -Oz below.
"$WASM_OPT_BIN" $WASM_FEATURES -O --debuginfo "$glue/index_bg.wasm" -o "$glue/index_bg.O.wasm"
node scripts/drop-island-exports.mjs "$glue/index_bg.O.wasm" target/worker-names.wasm

# Then the function names (`name` section) and the `producers` section go, in a last pass for
# size (`$WASM_OPT_SIZE`, from the Makefile). Each output is written beside its place and
# renamed into it, so a running `wrangler dev` never reads a half-written or missing file.
out=worker/build
mkdir -p "$out/worker"
"$WASM_OPT_BIN" $WASM_FEATURES $WASM_OPT_SIZE --strip-debug --strip-producers \
  target/worker-names.wasm -o "$glue/index_bg.opt.wasm"
"$ESBUILD_BIN" "$glue/entry.mjs" --bundle --format=esm --minify --log-level=warning \
  --external:./index_bg.wasm --external:cloudflare:* --outfile="$glue/bundle.js"
printf "export * from '../index.js';\nexport { default } from '../index.js';\n" > "$glue/shim.mjs"
rm -f "$out/package.json"
mv -f "$glue/index_bg.opt.wasm" "$out/index_bg.wasm"
mv -f "$glue/bundle.js" "$out/index.js"
mv -f "$glue/shim.mjs" "$out/worker/shim.mjs"
echo "worker wasm: $(stat -c %s "$out/index_bg.wasm") bytes, $(gzip -9c "$out/index_bg.wasm" | wc -c) gzipped;" \
  "glue: $(stat -c %s "$out/index.js") bytes, $(gzip -9c "$out/index.js" | wc -c) gzipped"
