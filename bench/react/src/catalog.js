// The catalog in KV, read the way the shop's Worker reads it (worker/src/catalog.rs,
// domain/src/kv.rs): a pointer key names the current version and is trusted for
// CATALOG_POINTER_TTL seconds; every other key is immutable under its version (the index, and
// the products in chunks of 100) and cached in the isolate until it is recycled.

const CURRENT = "catalog:current";
const CHUNK = 100;
// KV `cacheTtl` for versioned (immutable) keys, and KV's smallest accepted `cacheTtl`.
const VERSIONED_TTL_SECONDS = 86400;
const MIN_KV_TTL_SECONDS = 30;
// Product documents kept per isolate.
const MAX_CACHED_PRODUCTS = 2000;

const indexKey = (version) => `catalog:${version}:index`;
const chunkKey = (version, chunk) => `catalog:${version}:products:${chunk}`;

// The isolate cache: the pointer and when it was read, the last index read in full, products.
const cache = { pointer: null, index: null, products: new Map() };

function read(kv, key, ttl) {
  return ttl === 0 ? kv.get(key) : kv.get(key, { cacheTtl: Math.max(ttl, MIN_KV_TTL_SECONDS) });
}

function pointerTtl(env) {
  const n = Number.parseInt(env.CATALOG_POINTER_TTL, 10);
  return Number.isFinite(n) && n >= 0 ? n : MIN_KV_TTL_SECONDS;
}

async function currentVersion(env) {
  const now = Date.now();
  const ttl = pointerTtl(env);
  if (cache.pointer && now - cache.pointer.at < ttl * 1000) return cache.pointer.version;
  const version = await read(env.CATALOG, CURRENT, ttl);
  if (version !== null) cache.pointer = { version, at: now };
  return version;
}

export class CatalogUnavailable extends Error {}

// The index of the current version, or of the last one read in full.
export async function catalogIndex(env) {
  const version = await currentVersion(env);
  const cached = cache.index;
  if (version === null) {
    if (cached) return cached;
    throw new CatalogUnavailable("no catalog");
  }
  if (cached && cached.version === version) return cached;
  const text = await read(env.CATALOG, indexKey(version), VERSIONED_TTL_SECONDS);
  if (text === null) {
    if (cached) return cached;
    throw new CatalogUnavailable(`no index for ${version}`);
  }
  cache.index = JSON.parse(text);
  return cache.index;
}

// A product of the version `index` belongs to, or null.
export async function product(env, index, handle) {
  const position = index.products.findIndex((p) => p.handle === handle);
  if (position < 0) return null;
  const key = `${index.version}:${handle}`;
  const hit = cache.products.get(key);
  if (hit) return hit;
  const text = await read(
    env.CATALOG,
    chunkKey(index.version, Math.floor(position / CHUNK)),
    VERSIONED_TTL_SECONDS,
  );
  if (text === null) return null;
  const products = JSON.parse(text);
  if (cache.products.size + products.length > MAX_CACHED_PRODUCTS) cache.products.clear();
  let found = null;
  for (const p of products) {
    cache.products.set(`${index.version}:${p.handle}`, p);
    if (p.handle === handle) found = p;
  }
  return found;
}

function summary(p) {
  const prices = p.variants.map((v) => v.price);
  return {
    handle: p.handle,
    title: p.title,
    description: p.description,
    tags: p.tags,
    collections: p.collections,
    featured: p.featured,
    created_at: p.created_at,
    image: p.images[0] ?? null,
    min_price: Math.min(...prices),
    max_price: Math.max(...prices),
    available: p.variants.some((v) => v.stock > 0),
  };
}

// Publishes a catalog file (catalog/demo.json's format) under a content version: the chunks and
// the index first, the pointer last, as the shop publishes. Returns the version.
export async function publish(env, text) {
  const catalog = JSON.parse(text);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  const version = [...new Uint8Array(digest).slice(0, 8)]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
  const products = catalog.products;
  for (let i = 0; i * CHUNK < products.length; i++) {
    await env.CATALOG.put(chunkKey(version, i), JSON.stringify(products.slice(i * CHUNK, (i + 1) * CHUNK)));
  }
  const index = {
    version,
    currency: catalog.currency,
    collections: catalog.collections,
    products: products.map(summary),
  };
  await env.CATALOG.put(indexKey(version), JSON.stringify(index));
  await env.CATALOG.put(CURRENT, version);
  return version;
}
