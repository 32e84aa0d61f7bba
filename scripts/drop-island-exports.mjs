// Removes the islands' hydration entry points from the Worker's wasm, with everything only they
// reach. Leptos' `#[island]` exports a `Name_<hash>(el)` hydration function on every wasm32
// build, the server's included, where nothing calls it: the browser bundle has its own. The
// Worker's JavaScript glue names them only inside functions that are never called, so dropping
// the exports is safe; wasm-metadce then removes the code that only they reached.
//
//   node scripts/drop-island-exports.mjs IN.wasm OUT.wasm
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join, dirname } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";

const [input, output] = process.argv.slice(2);
const module = new WebAssembly.Module(readFileSync(input));
const island = (name) => /^[A-Z][A-Za-z0-9]*_\d{12,}$/.test(name);
const exports = WebAssembly.Module.exports(module);
const kept = exports.filter((e) => !island(e.name));
const dropped = exports.filter((e) => island(e.name));
const imports = WebAssembly.Module.imports(module);
const graph = [
  {
    name: "root",
    root: true,
    reaches: [...kept.map((_, i) => `e${i}`), ...imports.map((_, i) => `i${i}`)],
  },
  ...kept.map((e, i) => ({ name: `e${i}`, export: e.name })),
  ...imports.map((im, i) => ({ name: `i${i}`, import: [im.module, im.name] })),
];
const dir = mkdtempSync(join(tmpdir(), "metadce-"));
const graphFile = join(dir, "graph.json");
writeFileSync(graphFile, JSON.stringify(graph));
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const features = (process.env.WASM_FEATURES || "").split(/\s+/).filter(Boolean);
execFileSync(
  join(root, "node_modules/.bin/wasm-metadce"),
  [...features, "--debuginfo", "--graph-file", graphFile, input, "-o", output],
  { stdio: ["ignore", "ignore", "inherit"] },
);
const after = WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(output)));
if (after.length !== kept.length) {
  console.error(`expected ${kept.length} exports after dropping ${dropped.length}, found ${after.length}`);
  process.exit(1);
}
console.log(`dropped ${dropped.map((e) => e.name).join(", ") || "nothing"}`);
