// Loads the islands bundle when the browser is idle and hydrates every <leptos-island> on the
// page. Written by `make bundle` with the content-hashed names filled in.
const JS = "__APP_JS__";
const WASM = "__APP_WASM__";

async function hydrateIslands(node, mod) {
  if (node.nodeType !== Node.ELEMENT_NODE) return;
  if (node.tagName.toLowerCase() === "leptos-island") {
    const hydrateIsland = mod[node.dataset.component];
    if (hydrateIsland) await hydrateIsland(node);
    else console.warn(`no island named ${node.dataset.component}`);
  }
  for (const child of node.children) await hydrateIslands(child, mod);
}

function start() {
  import(JS).then(async (mod) => {
    await mod.default({ module_or_path: WASM });
    mod.hydrate();
    await hydrateIslands(document.body, mod);
    document.documentElement.dataset.hydrated = "true";
  });
}

if ("requestIdleCallback" in window) requestIdleCallback(start, { timeout: 1500 });
else start();
