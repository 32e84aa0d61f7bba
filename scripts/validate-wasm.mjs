// Fails when a wasm file is not one that engines accept (wasm-opt can write encodings of
// features that V8 rejects): `node scripts/validate-wasm.mjs FILE…` (make deploy-check).
import { readFileSync } from "node:fs";

let bad = 0;
for (const file of process.argv.slice(2)) {
  if (!WebAssembly.validate(readFileSync(file))) {
    console.error(`${file}: not a valid wasm module`);
    bad++;
  }
}
process.exit(bad ? 1 : 0);
