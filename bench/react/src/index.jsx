// The React contender of `make bench` (bench/src/contenders.rs): the shop's product page
// rendered by React 19 from the same demo catalog, in its own KV, read through the same kind of
// isolate cache as the shop's Worker (./catalog.js).
//
//   GET  /products/{handle}          renderToString
//   GET  /stream/products/{handle}   renderToReadableStream
//   POST /__seed                     publish the catalog in the body (catalog/demo.json's format)
//
// A benchmark fixture for local runs only, never deployed.
import React from "react";
import { renderToReadableStream, renderToString } from "react-dom/server";
import { catalogIndex, CatalogUnavailable, product, publish } from "./catalog.js";
import { ProductDocument, selectVariant } from "./page.jsx";

const HTML_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "public, max-age=0, s-maxage=10, stale-while-revalidate=30",
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
  "x-frame-options": "DENY",
};

function text(status, body) {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

// The page's data, or null when there is no such product.
async function pageData(env, handle, url) {
  const index = await catalogIndex(env);
  const p = await product(env, index, handle);
  if (!p) return null;
  const selected = selectVariant(p, url.searchParams.get("variant"));
  return { index, product: p, selected };
}

const PRODUCT = /^\/(stream\/)?products\/([a-z0-9][a-z0-9-]*)$/;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/__seed" && request.method === "POST") {
      const version = await publish(env, await request.text());
      return Response.json({ version });
    }
    const m = PRODUCT.exec(url.pathname);
    if (!m || request.method !== "GET") return text(404, "Not found");
    let data;
    try {
      data = await pageData(env, m[2], url);
    } catch (e) {
      if (e instanceof CatalogUnavailable) return text(503, "The catalog is not available");
      throw e;
    }
    if (!data) return text(404, "No such product");
    const page = <ProductDocument {...data} />;
    if (m[1]) {
      const stream = await renderToReadableStream(page);
      return new Response(stream, { headers: HTML_HEADERS });
    }
    return new Response(`<!DOCTYPE html>${renderToString(page)}`, { headers: HTML_HEADERS });
  },
};
