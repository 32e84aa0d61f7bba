// A CPU profile of the shop's Worker isolate under load, by function (self time), through the
// V8 inspector of the local runtime: the experiment behind "what bounds the product page's own
// CPU" in BENCHMARKS.md.
//
//   1. make worker, then put the build with function names in place of the stripped one:
//        cp target/worker-names.wasm worker/build/index_bg.wasm
//   2. start the shop: wrangler dev --port 8791 --var CATALOG_POINTER_TTL:30 … and seed it
//      (as `make dev` does), load it with wrk on one route;
//   3. node bench/profile.mjs PORT SECONDS, where PORT is the workerd process's inspector port
//      (`ss -ltnp | grep workerd`: the one whose /json lists `core:user:edge-storefront`);
//   4. make worker again (or copy the stripped build back) before deploying or measuring.
//
// Prints the share of sampled time by function, heaviest first.
const [port, seconds] = [process.argv[2], Number(process.argv[3] || 5)];
if (!port) {
  console.error("usage: node bench/profile.mjs INSPECTOR_PORT [SECONDS]");
  process.exit(2);
}
const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
const target = targets.find((t) => (t.id || "").startsWith("core:user")) || targets[0];
const ws = new WebSocket(target.webSocketDebuggerUrl);
let next = 0;
const pending = new Map();
const send = (method, params = {}) =>
  new Promise((resolve) => {
    const id = ++next;
    pending.set(id, resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });
ws.onmessage = (m) => {
  const d = JSON.parse(m.data);
  if (d.id && pending.has(d.id)) {
    pending.get(d.id)(d);
    pending.delete(d.id);
  }
};
await new Promise((resolve, reject) => {
  ws.onopen = resolve;
  ws.onerror = reject;
});
await send("Profiler.enable");
await send("Profiler.setSamplingInterval", { interval: 100 });
await send("Profiler.start");
await new Promise((r) => setTimeout(r, seconds * 1000));
const { result } = await send("Profiler.stop");
ws.close();
const profile = result.profile;
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const f = nodes.get(id).callFrame;
  const name = f.functionName || `(${f.url.split("/").pop()}:${f.lineNumber + 1}:${f.columnNumber + 1})`;
  const dt = profile.timeDeltas[i] || 0;
  self.set(name, (self.get(name) || 0) + dt);
  total += dt;
});
console.log(`sampled ${(total / 1000).toFixed(0)} ms of the isolate's thread`);
for (const [name, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
  console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${name.slice(0, 140)}`);
}
