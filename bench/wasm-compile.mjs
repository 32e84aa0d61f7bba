// Times WebAssembly.compile and WebAssembly.instantiate of one .wasm file, once, in this fresh
// Node process (V8 caches compiled modules per process, so the bench runs one process per sample).
// Instantiation gets a no-op stub for every imported function (and the JS exception tag, as the
// glue passes it): it measures the engine's work (memory, tables, data segments, start function
// if any), not the wasm-bindgen glue. If another kind of import shows up, instantiation is
// skipped and reported as null.
// Prints one JSON line.
import { readFileSync } from "node:fs";

const bytes = readFileSync(process.argv[2]);
const t0 = performance.now();
const module = await WebAssembly.compile(bytes);
const t1 = performance.now();

const imports = {};
let stubbable = true;
for (const imp of WebAssembly.Module.imports(module)) {
  let value;
  if (imp.kind === "function") value = () => {};
  else if (imp.kind === "tag") value = WebAssembly.JSTag ?? new WebAssembly.Tag({ parameters: ["externref"] });
  else stubbable = false;
  (imports[imp.module] ??= {})[imp.name] = value;
}
let instantiate_ms = null;
if (stubbable) {
  const t2 = performance.now();
  await WebAssembly.instantiate(module, imports);
  instantiate_ms = performance.now() - t2;
}
console.log(JSON.stringify({ compile_ms: t1 - t0, instantiate_ms, bytes: bytes.length }));
