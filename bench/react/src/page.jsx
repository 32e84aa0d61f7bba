// The shop's product page in React: the same document as the Leptos shell and product page
// (app/src/shell.rs, app/src/pages.rs, app/src/islands.rs, app/src/seo.rs), element for element.
import React from "react";
import { decimal, formatMoney } from "./money.js";

export const SHOP_NAME = "Edge Storefront";
const LOW_STOCK = 5;

function availability(units) {
  if (units === 0) return { label: "Sold out", canBuy: false, schema: "https://schema.org/OutOfStock" };
  if (units <= LOW_STOCK) return { label: `Only ${units} left`, canBuy: true, schema: "https://schema.org/LimitedAvailability" };
  return { label: "In stock", canBuy: true, schema: "https://schema.org/InStock" };
}

// JSON for an inline script element: catalog text can never close it.
function scriptJson(value) {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}

function truncate(s, max) {
  const chars = [...s];
  return chars.length > max ? `${chars.slice(0, max).join("")}…` : s;
}

// The distinct values of option `i`, in catalog order.
function optionValues(product, i) {
  return [...new Set(product.variants.map((v) => v.options[i]).filter((o) => o !== undefined))];
}

// The variant reached by choosing `value` for option `i` from `current`: the one keeping the
// other choices if it exists, else the first with that value.
function variantFor(variants, current, i, value) {
  const withValue = variants.filter((v) => v.options[i] === value);
  return withValue.find((v) => v.options.every((o, j) => j === i || current.options[j] === o)) ?? withValue[0];
}

// The variant a request asks for (`?variant=SKU`), else the first in stock, else the first.
export function selectVariant(product, wanted) {
  return (
    product.variants.find((v) => v.sku === wanted) ??
    product.variants.find((v) => v.stock > 0) ??
    product.variants[0]
  );
}

function productLd(product, currency) {
  return {
    "@context": "https://schema.org",
    "@type": "Product",
    description: product.description,
    image: product.images.map((i) => i.src),
    name: product.title,
    offers: product.variants.map((v) => ({
      "@type": "Offer",
      availability: availability(v.stock).schema,
      name: v.options.join(" / "),
      price: decimal(v.price, currency),
      priceCurrency: currency,
      sku: v.sku,
      url: `/products/${product.handle}?variant=${v.sku}`,
    })),
    sku: product.variants[0]?.sku ?? null,
  };
}

function breadcrumbsLd(collection, product) {
  const items = [["Home", "/"]];
  if (collection) items.push([collection.title, `/collections/${collection.handle}`]);
  items.push([product.title, `/products/${product.handle}`]);
  return {
    "@context": "https://schema.org",
    "@type": "BreadcrumbList",
    itemListElement: items.map(([name, item], i) => ({ "@type": "ListItem", item, name, position: i + 1 })),
  };
}

function CartLink() {
  return (
    <a className="cart-link" href="/cart">
      Cart<span className="cart-count"></span>
    </a>
  );
}

function Shell({ meta, collections, children }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${meta.title} · ${SHOP_NAME}`}</title>
        <meta name="description" content={meta.description} />
        <link rel="canonical" href={meta.canonical} />
        <meta property="og:site_name" content={SHOP_NAME} />
        <meta property="og:title" content={meta.title} />
        <meta property="og:description" content={meta.description} />
        <meta property="og:type" content={meta.ogType} />
        {meta.image ? <meta property="og:image" content={meta.image} /> : null}
        {meta.structuredData.map((json, i) => (
          <script key={i} type="application/ld+json" dangerouslySetInnerHTML={{ __html: json }} />
        ))}
        <link rel="stylesheet" href="/styles.css" />
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
      </head>
      <body>
        <a className="skip" href="#main">Skip to content</a>
        <header className="site-header">
          <a className="brand" href="/">{SHOP_NAME}</a>
          <nav aria-label="Collections">
            <ul>
              {collections.map((c) => (
                <li key={c.handle}>
                  <a href={`/collections/${c.handle}`}>{c.title}</a>
                </li>
              ))}
            </ul>
          </nav>
          <form className="search" role="search" method="get" action="/search">
            <label htmlFor="q" className="visually-hidden">Search products</label>
            <input id="q" type="search" name="q" defaultValue="" placeholder="Search products" maxLength={200} />
            <button type="submit">Search</button>
          </form>
          <CartLink />
        </header>
        <main id="main">{children}</main>
        <footer className="site-footer">
          <p>{SHOP_NAME} · everyday things, made to be used and mended</p>
        </footer>
      </body>
    </html>
  );
}

function OptionPicker({ handle, option, i, variants, current }) {
  return (
    <div className="option">
      <span className="option-name">{option.name}</span>
      <ul className="option-values">
        {option.values.map((value) => {
          const target = variantFor(variants, current, i, value);
          const selected = current.options[i] === value;
          return (
            <li key={value}>
              <a
                href={target ? `/products/${handle}?variant=${target.sku}` : undefined}
                className={selected ? "selected" : undefined}
                aria-current={selected ? "true" : undefined}
              >
                {value}
              </a>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

// Price, availability, option pickers and the add-to-cart form: the part a browser would
// hydrate, so its props travel with the page as JSON (as the shop's island carries its own).
function ProductBuy({ handle, options, variants, selected }) {
  const current = variants.find((v) => v.sku === selected) ?? variants[0];
  return (
    <div className="buy" data-props={JSON.stringify({ handle, options, variants, selected })}>
      <p className="price" data-sku={current.sku}>{current.price}</p>
      <p className={current.can_buy ? "availability" : "availability sold-out"}>{current.availability}</p>
      <p className="selected-variant">{current.options.join(" / ")}</p>
      <div className="options">
        {options.map((option, i) => (
          <OptionPicker key={option.name} handle={handle} option={option} i={i} variants={variants} current={current} />
        ))}
      </div>
      <form className="add-to-cart" method="post" action="/cart/add">
        <input type="hidden" name="sku" value={current.sku} />
        <label htmlFor="quantity">Quantity</label>
        <input id="quantity" type="number" name="quantity" defaultValue="1" min="1" max={String(current.max)} required />
        <button type="submit" disabled={!current.can_buy}>{current.can_buy ? "Add to cart" : "Sold out"}</button>
      </form>
      <p className="buy-status" role="status" aria-live="polite"></p>
    </div>
  );
}

function ProductPage({ product, currency, selected, collection }) {
  const image = product.images[0];
  const options = product.options.map((name, i) => ({ name, values: optionValues(product, i) }));
  const variants = product.variants.map((v) => {
    const a = availability(v.stock);
    return {
      sku: v.sku,
      options: v.options,
      price: formatMoney(v.price, currency),
      availability: a.label,
      can_buy: a.canBuy,
      max: Math.min(Math.max(v.stock, 1), 99),
    };
  });
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <a href="/">Home</a>
        {" / "}
        {collection ? (
          <>
            <a href={`/collections/${collection.handle}`}>{collection.title}</a>
            {" / "}
          </>
        ) : null}
        <span aria-current="page">{product.title}</span>
      </nav>
      <article className="product">
        <div className="gallery">
          {image ? <img src={image.src} alt={image.alt} width="400" height="400" /> : null}
        </div>
        <div className="details">
          <h1>{product.title}</h1>
          <ProductBuy handle={product.handle} options={options} variants={variants} selected={selected.sku} />
          <div className="description">
            <p>{product.description}</p>
          </div>
        </div>
      </article>
    </>
  );
}

// The whole document of a product page (without the doctype).
export function ProductDocument({ index, product, selected }) {
  const collection = index.collections.find((c) => c.handle === product.collections[0]) ?? null;
  const meta = {
    title: product.title,
    description: truncate(product.description, 160),
    canonical: `/products/${product.handle}`,
    ogType: "product",
    image: product.images[0]?.src ?? null,
    structuredData: [scriptJson(productLd(product, index.currency)), scriptJson(breadcrumbsLd(collection, product))],
  };
  return (
    <Shell meta={meta} collections={index.collections}>
      <ProductPage product={product} currency={index.currency} selected={selected} collection={collection} />
    </Shell>
  );
}
