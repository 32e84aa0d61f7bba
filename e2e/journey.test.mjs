// End-to-end journeys in headless Chromium against the real worker (wrangler's local runtime)
// and the sandbox payment gateway. Started by tests/integration/browser.rs, which provides:
//   SHOP_URL, ADMIN_TOKEN, ARTIFACTS (directory for screenshots), CHROMIUM (executable).
// Run with Node's own test runner: `node --test e2e/`.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const SHOP = process.env.SHOP_URL;
const ARTIFACTS = process.env.ARTIFACTS ?? "test-artifacts/e2e";
const AXE = require.resolve("axe-core/axe.min.js");
mkdirSync(ARTIFACTS, { recursive: true });

let browser;
before(async () => {
  assert.ok(SHOP, "SHOP_URL must be set");
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  // Plenty of stock for the SKUs these journeys buy.
  for (const sku of ["CAMPING-TENT-2-PERSON-OLIVE", "CAMPING-TENT-2-PERSON-SAND", "OAK-CUTTING-BOARD-LARGE"]) {
    const r = await fetch(`${SHOP}/admin/api/inventory/${sku}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${process.env.ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ on_hand: 1000 }),
    });
    assert.equal(r.status, 200, `set stock of ${sku}`);
  }
});
after(async () => browser?.close());

async function shot(page, name) {
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
}

async function pay(page, card) {
  // The shipping address (the payment page asks for it in the cart's country only).
  await page.getByLabel("Full name").fill("Ada Lovelace");
  await page.getByLabel("Address", { exact: true }).fill("12 Rue de Rivoli");
  await page.getByLabel("Postal code").fill("75001");
  await page.getByLabel("City").fill("Paris");
  await page.getByLabel("Card number").fill(card);
  await page.getByLabel("Expiry date (MM/YY)").fill("12/34");
  await page.getByLabel("Security code (CVC)").fill("123");
  await page.getByRole("button", { name: /^Pay / }).click();
}

/// Routes the requests `match` takes. The one `held(request, n)` picks (n counts from 1) is
/// sent at once but answered to the page only on the returned `release()`; the others go out
/// once it has been sent. The shop sees it first, the page hears it last.
async function answerLast(page, match, held) {
  let release, sent;
  const answered = new Promise((resolve) => (release = resolve));
  const first = new Promise((resolve) => (sent = resolve));
  let n = 0;
  await page.route(match, async (route) => {
    if (held(route.request(), ++n)) {
      const response = await route.fetch();
      sent();
      await answered;
      await route.fulfill({ response });
    } else {
      await first;
      await route.continue();
    }
  });
  return release;
}

/// The whole journey; `javaScript` false runs it as a shopper without JavaScript.
async function journey(javaScript, tag) {
  const context = await browser.newContext({ javaScriptEnabled: javaScript, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${SHOP}/`);
  await assert.doesNotReject(page.getByRole("heading", { name: "Featured" }).waitFor());
  await shot(page, `${tag}-1-home`);

  await page.getByRole("navigation", { name: "Collections" }).getByRole("link", { name: "Outdoor" }).click();
  await page.waitForURL(/\/collections\/outdoor$/);
  await shot(page, `${tag}-2-collection`);

  await page.getByRole("searchbox", { name: "Search products" }).fill("tent");
  await page.getByRole("button", { name: "Search" }).click();
  await page.waitForURL(/\/search\?q=tent/);
  await shot(page, `${tag}-3-search`);
  await page.getByRole("link", { name: /Two-Person Dome Tent/ }).first().click();
  await page.waitForURL(/\/products\/camping-tent/);

  if (javaScript) {
    // The islands hydrate; from here on the page changes without reloading.
    await page.locator("html[data-hydrated=true]").waitFor();
    await page.evaluate(() => (window.__sameDocument = true));
  }
  // Pick the olive colour: the price and the SKU that will be posted follow.
  await page.getByRole("link", { name: "Olive" }).click();
  await page.waitForURL(/variant=CAMPING-TENT-2-PERSON-OLIVE/);
  await page.waitForFunction(() => document.querySelector("input[name=sku]").value === "CAMPING-TENT-2-PERSON-OLIVE");
  assert.match(await page.locator(".details .price").innerText(), /€189\.00/);
  await shot(page, `${tag}-4-product`);

  await page.getByLabel("Quantity").fill("1");
  await page.getByRole("button", { name: "Add to cart" }).click();
  if (javaScript) {
    // Added in place: the header's count updates, no page load happened.
    await page.locator(".cart-count", { hasText: "(1)" }).waitFor();
    assert.match(await page.getByRole("status").innerText(), /Added/);
    assert.equal(await page.evaluate(() => window.__sameDocument), true, "no reload");
    await shot(page, `${tag}-4b-added`);
    await page.getByRole("link", { name: /^Cart/ }).click();
  }
  await page.waitForURL(/\/cart$/);
  const row = page.locator("tr[data-sku=CAMPING-TENT-2-PERSON-OLIVE]");
  if (javaScript) {
    await page.locator("html[data-hydrated=true]").waitFor();
    await row.getByRole("button", { name: /One more/ }).click();
    await page.locator(".subtotal", { hasText: "€378.00" }).waitFor();
  } else {
    await row.getByRole("spinbutton").fill("2");
    await row.getByRole("button", { name: "Update" }).click();
    await page.waitForURL(/\/cart$/);
  }
  assert.match(await page.locator(".subtotal").innerText(), /€378\.00/);
  await shot(page, `${tag}-5-cart`);

  // Ship to France by express: the rates and the totals follow the choice (in place with
  // JavaScript, through the form without).
  const total = page.locator("[data-total=total]");
  if (javaScript) {
    await page.evaluate(() => (window.__sameDocument = true));
    await page.getByLabel("Ship to").selectOption("FR");
    await page.getByLabel(/^Express — €24\.90/).waitFor();
    await page.getByLabel(/^Express — €24\.90/).check();
    await page.locator("[data-total=total]", { hasText: "€402.90" }).waitFor();
    assert.equal(await page.evaluate(() => window.__sameDocument), true, "no reload");
  } else {
    await page.getByLabel("Ship to").selectOption("FR");
    await page.getByRole("button", { name: "Update delivery" }).click();
    await page.waitForURL(/\/cart$/);
    await page.getByLabel(/^Express — €24\.90/).check();
    await page.getByRole("button", { name: "Update delivery" }).click();
    await page.waitForURL(/\/cart$/);
  }
  assert.equal(await page.getByLabel("Ship to").inputValue(), "FR");
  assert.match(await total.innerText(), /€402\.90/);
  assert.match(await page.locator("[data-total=shipping]").innerText(), /€24\.90/);
  await shot(page, `${tag}-5b-delivery`);

  await page.getByLabel("E-mail for your receipt").fill("shopper@example.com");
  await page.getByRole("button", { name: "Check out" }).click();
  await page.waitForURL(/\/pay\/cs_test_/);
  assert.match(await page.locator("h1").innerText(), /402\.90 EUR/);
  await shot(page, `${tag}-6-payment`);

  await pay(page, "4242 4242 4242 4242");
  await page.waitForURL(/\/orders\/ord_/);
  // The webhook may land a moment after the redirect: the page says so and updates by itself
  // (an island polling the order with JavaScript, a <noscript> refresh without).
  await page.locator("h1", { hasText: "Thank you for your order" }).waitFor({ timeout: 20000 });
  assert.equal(await page.locator("h1").innerText(), "Thank you for your order");
  assert.match(await page.locator("p.status").innerText(), /Paid/);
  // The order keeps where it goes and what it cost.
  assert.match(await page.locator("[data-address]").innerText(), /Ada Lovelace[\s\S]*12 Rue de Rivoli[\s\S]*75001 Paris/);
  assert.match(await page.locator("[data-total=shipping]").innerText(), /€24\.90/);
  assert.match(await page.locator("[data-total=total]").innerText(), /€402\.90/);
  await shot(page, `${tag}-7-confirmation`);

  await page.goto(`${SHOP}/cart`);
  assert.match(await page.locator("main").innerText(), /Your cart is empty/);
  await context.close();
}

test("journey with JavaScript: browse, pick a variant, cart, pay, confirmation", async () => {
  await journey(true, "js");
});

test("the same journey with JavaScript disabled", async () => {
  await journey(false, "nojs");
});

test("a declined card returns the shopper to the shop with the cart intact", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${SHOP}/products/oak-cutting-board?variant=OAK-CUTTING-BOARD-LARGE`);
  await page.locator("html[data-hydrated=true]").waitFor();
  await page.getByRole("button", { name: "Add to cart" }).click();
  await page.locator(".cart-count", { hasText: "(1)" }).waitFor();
  await page.goto(`${SHOP}/cart`);
  await page.getByLabel("E-mail for your receipt").fill("shopper@example.com");
  await page.getByRole("button", { name: "Check out" }).click();
  await page.waitForURL(/\/pay\//);
  await pay(page, "4000 0000 0000 0002");
  assert.match(await page.locator("main").innerText(), /Your card was declined/);
  await shot(page, "declined-1-payment");
  await page.getByRole("link", { name: /Cancel and return to the shop/ }).click();
  await page.waitForURL(/\/cart\?cancelled=/);
  const main = await page.locator("main").innerText();
  assert.match(main, /Payment cancelled: your cart is as you left it/);
  assert.match(main, /Oak Cutting Board \(Large\)/);
  await shot(page, "declined-2-cart");
  await context.close();
});

test("the header's count is not undone by its own first read answering after an add", async () => {
  // The header asks for the cart as it hydrates; a shopper who adds at once can have the add
  // answered first. Here that first read is served before the add and answered after it.
  const context = await browser.newContext();
  const page = await context.newPage();
  const release = await answerLast(
    page,
    (url) => url.pathname.startsWith("/api/cart"),
    (request) => request.method() === "GET",
  );
  const firstRead = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/cart" && r.request().method() === "GET");
  await page.goto(`${SHOP}/products/oak-cutting-board?variant=OAK-CUTTING-BOARD-LARGE`);
  await page.locator("html[data-hydrated=true]").waitFor();
  await page.getByRole("button", { name: "Add to cart" }).click();
  await page.locator(".buy-status", { hasText: "Added." }).waitFor();
  await page.locator(".cart-count", { hasText: "(1)" }).waitFor();
  release();
  // That read was served before the cart existed: it found none.
  assert.match(await (await firstRead).text(), /"units":0/);
  // Give the island its turn with the stale answer, then look again.
  await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
  assert.equal((await page.locator(".cart-count").innerText()).trim(), "(1)");
  await context.close();
});

test("two adds answered out of order leave the header at the cart's count", async () => {
  // The first add is served first and answered last: its count (1) is older than the second's.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${SHOP}/products/oak-cutting-board?variant=OAK-CUTTING-BOARD-LARGE`);
  await page.locator("html[data-hydrated=true]").waitFor();
  const release = await answerLast(page, (url) => url.pathname === "/api/cart/items", (_, n) => n === 1);
  const add = page.getByRole("button", { name: "Add to cart" });
  await add.click();
  await add.click();
  await page.locator(".cart-count", { hasText: "(2)" }).waitFor();
  const late = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/cart/items");
  release();
  assert.match(await (await late).text(), /"units":1/);
  await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
  assert.equal((await page.locator(".cart-count").innerText()).trim(), "(2)");
  assert.match(await page.locator(".buy-status").innerText(), /Your cart has 2 items/);
  await context.close();
});

test("cart steps taken while one is on its way all count, and a refused step says why", async () => {
  // A SKU no other test touches: the integration tests share this shop and its stock.
  const sku = "ENAMEL-CAMP-MUG-RED";
  const r = await fetch(`${SHOP}/admin/api/inventory/${sku}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${process.env.ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ on_hand: 3 }),
  });
  assert.equal(r.status, 200, `set stock of ${sku}`);
  const context = await browser.newContext();
  const page = await context.newPage();
  const added = await page.request.post(`${SHOP}/api/cart/items`, { data: { sku, quantity: 1 } });
  assert.equal(added.status(), 201);
  await page.goto(`${SHOP}/cart`);
  await page.locator("html[data-hydrated=true]").waitFor();
  // The first step's change is held on its way until the second step has been taken.
  let release;
  const held = new Promise((resolve) => (release = resolve));
  let changes = 0;
  await page.route(
    (url) => url.pathname === `/api/cart/items/${sku}`,
    async (route) => {
      if (++changes === 1) await held;
      await route.continue();
    },
  );
  const row = page.locator(`tr[data-sku=${sku}]`);
  const field = row.getByRole("spinbutton");
  await page.evaluate(() => (window.__before = true));
  await row.getByRole("button", { name: /One more/ }).click();
  await row.getByRole("button", { name: /One more/ }).click();
  assert.equal(await field.inputValue(), "3", "each step shows at once");
  release();
  // Both steps reach the cart, then the page reloads with it.
  await page.waitForFunction(() => window.__before === undefined && document.documentElement.dataset.hydrated === "true");
  assert.equal(await row.getByRole("spinbutton").inputValue(), "3");
  assert.equal(changes, 2, "one change per answer, not one per click");
  const cart = await (await page.request.get(`${SHOP}/api/cart`)).json();
  assert.equal(cart.units, 3);

  // One more than the shop has: refused in words, the field back at the cart's 3, no reload.
  await page.evaluate(() => (window.__before = true));
  await row.getByRole("button", { name: /One more/ }).click();
  const alert = row.getByRole("alert");
  await alert.waitFor();
  assert.match(await alert.innerText(), /^Only 3 of Enamel Camp Mug \(.+\) left\.$/);
  assert.doesNotMatch(await alert.innerText(), new RegExp(sku));
  assert.equal(await field.inputValue(), "3");
  assert.equal(await page.evaluate(() => window.__before), true, "no reload");
  await shot(page, "cart-step-refused");
  await page.setViewportSize({ width: 375, height: 812 });
  await shot(page, "cart-step-refused-375");
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 375), "nothing scrolls sideways at 375 px");
  assert.equal((await (await page.request.get(`${SHOP}/api/cart`)).json()).units, 3);

  // The buy box names the variant the same way when it refuses.
  await page.goto(`${SHOP}/products/enamel-camp-mug?variant=${sku}`);
  await page.locator("html[data-hydrated=true]").waitFor();
  await page.getByRole("button", { name: "Add to cart" }).click();
  const status = page.locator(".buy-status", { hasText: /left/ });
  await status.waitFor();
  assert.match(await status.innerText(), /^Only 3 of Enamel Camp Mug \(.+\) left\.$/);
  assert.equal((await (await page.request.get(`${SHOP}/api/cart`)).json()).units, 3);
  await context.close();
});

test("no serious or critical accessibility violations (axe-core)", async () => {
  // axe is injected as a script: let it past the shop's CSP for this audit only.
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  // Something in the cart (through the no-JS form post, sharing the context's cookies).
  const added = await context.request.post(`${SHOP}/cart/add`, {
    form: { sku: "OAK-CUTTING-BOARD-LARGE", quantity: "1" },
    headers: { origin: SHOP },
    maxRedirects: 0,
  });
  assert.equal(added.status(), 303);
  const pages = ["/", "/collections/home", "/products/oak-cutting-board", "/cart"];
  const problems = [];
  for (const path of pages) {
    await page.goto(`${SHOP}${path}`);
    await page.addScriptTag({ path: AXE });
    const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
    for (const v of result.violations) {
      if (v.impact === "serious" || v.impact === "critical") {
        problems.push(`${path}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
      }
    }
  }
  // The checkout step is the payment page (the sandbox gateway's).
  await page.goto(`${SHOP}/cart`);
  await page.getByLabel("E-mail for your receipt").fill("shopper@example.com");
  await page.getByRole("button", { name: "Check out" }).click();
  await page.waitForURL(/\/pay\//);
  await page.addScriptTag({ path: AXE });
  const pay = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  for (const v of pay.violations.filter((v) => v.impact === "serious" || v.impact === "critical")) {
    problems.push(`payment page: ${v.id} (${v.impact}) ${v.help}`);
  }
  await context.close();
  assert.deepEqual(problems, []);
});

test("at 375 px the header does not overlap and nothing scrolls sideways", async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
  const page = await context.newPage();
  for (const path of ["/", "/products/camping-tent", "/cart"]) {
    await page.goto(`${SHOP}${path}`);
    const boxes = await page.evaluate(() =>
      [".brand", ".site-header nav", ".search", ".cart-link"].map((sel) => {
        const r = document.querySelector(sel).getBoundingClientRect();
        return { sel, left: r.left, right: r.right, top: r.top, bottom: r.bottom };
      }),
    );
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        const overlap = a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
        assert.ok(!overlap, `${path}: ${a.sel} overlaps ${b.sel}: ${JSON.stringify([a, b])}`);
      }
    }
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `${path}: page is ${width}px wide at a 375px viewport`);
    await shot(page, `mobile${path.replaceAll("/", "-")}`);
  }
  await context.close();
});

test("at 375 px a cart of five long lines and its order page do not scroll sideways, JS on and off", async () => {
  // Five lines with the longest titles, stock raised first so that other journeys cannot run out.
  const skus = [
    "ORGANIC-TEE-L-WHITE-RELAXED",
    "STONEWARE-BOWL-LARGE-SPECKLED",
    "CAMPING-TENT-2-PERSON-SAND",
    "CREME-BRULEE-CANDLE-LARGE",
    "OAK-CUTTING-BOARD-LARGE",
  ];
  for (const sku of skus) {
    const r = await fetch(`${SHOP}/admin/api/inventory/${sku}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${process.env.ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ on_hand: 1000 }),
    });
    assert.equal(r.status, 200, `set stock of ${sku}`);
  }
  for (const javaScriptEnabled of [true, false]) {
    const tag = javaScriptEnabled ? "js" : "nojs";
    const context = await browser.newContext({ viewport: { width: 375, height: 812 }, javaScriptEnabled });
    const page = await context.newPage();
    for (const sku of skus) {
      const r = await page.request.post(`${SHOP}/api/cart/items`, { data: { sku, quantity: 2 } });
      assert.ok(r.ok(), `add ${sku}: ${r.status()}`);
    }
    await page.goto(`${SHOP}/cart`);
    assert.equal(await page.locator("table.cart tbody tr").count(), 5);
    let width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `${tag} cart: page is ${width}px wide at a 375px viewport`);
    await shot(page, `mobile-${tag}-cart-5-lines`);

    const checkout = await page.request.post(`${SHOP}/api/checkout`, { data: { email: "shopper@example.com" } });
    assert.equal(checkout.status(), 201);
    const { order_id } = await checkout.json();
    await page.goto(`${SHOP}/orders/${order_id}`);
    assert.match(await page.locator("h1").innerText(), /Waiting for your payment/);
    width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `${tag} order page: page is ${width}px wide at a 375px viewport`);
    await shot(page, `mobile-${tag}-order`);
    await context.close();
  }
});

test("the variant picker shows each variant's own picture and never jumps to a combination not picked, JS on and off", async () => {
  for (const javaScriptEnabled of [true, false]) {
    const tag = javaScriptEnabled ? "js" : "nojs";
    const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${SHOP}/products/linen-shirt?variant=LINEN-SHIRT-S-WHITE`);
    if (javaScriptEnabled) {
      await page.locator("html[data-hydrated=true]").waitFor();
      await page.evaluate(() => (window.__sameDocument = true));
    }
    const picture = page.locator(".gallery img");
    assert.equal(await picture.getAttribute("src"), "/images/linen-shirt.svg");
    // S / Sand is not made: Sand is marked and is not a link while S is picked.
    assert.equal(await page.getByRole("link", { name: /^Sand/ }).count(), 0, `${tag}: Sand is not a link from S`);
    assert.match(await page.locator(".option-values .unavailable").innerText(), /Sand/);
    // M / White, then M / Sand: the sand shirt's own picture.
    await page.getByRole("link", { name: "M", exact: true }).click();
    await page.waitForURL(/variant=LINEN-SHIRT-M-WHITE/);
    await page.getByRole("link", { name: /^Sand/ }).click();
    await page.waitForURL(/variant=LINEN-SHIRT-M-SAND/);
    await page.waitForFunction(() => document.querySelector(".gallery img").getAttribute("src") === "/images/linen-shirt-sand.svg");
    assert.match(await picture.getAttribute("alt"), /sand-coloured/);
    assert.equal(await page.locator("input[name=sku]").inputValue(), "LINEN-SHIRT-M-SAND");
    if (javaScriptEnabled) {
      assert.equal(await page.evaluate(() => window.__sameDocument), true, "swapped in place, no reload");
    }
    await shot(page, `${tag}-variant-picture`);
    await context.close();
  }
});

test("admin: dashboard and orders at 1280 and 375 px, JS on and off, nothing scrolls sideways", async () => {
  // An order to list, with a long e-mail.
  const r = await fetch(`${SHOP}/api/cart/items`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sku: "OAK-CUTTING-BOARD-LARGE", quantity: 1 }),
  });
  assert.equal(r.status, 201);
  const cookie = r.headers.get("set-cookie").split(";")[0];
  const checkout = await fetch(`${SHOP}/api/checkout`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie },
    body: JSON.stringify({ email: "a.rather.long.address.for.a.shopper@example.com" }),
  });
  assert.equal(checkout.status, 201);
  for (const javaScriptEnabled of [true, false]) {
    for (const width of [1280, 375]) {
      const tag = `${javaScriptEnabled ? "js" : "nojs"}-${width}`;
      const context = await browser.newContext({ javaScriptEnabled, viewport: { width, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${SHOP}/admin`);
      await page.getByLabel("Admin token").fill(process.env.ADMIN_TOKEN);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "Orders" }).waitFor();
      // The stylesheet too: the heading can be there before it, and widths are measured below.
      await page.waitForLoadState("load");
      assert.match(await page.locator(".admin-stats").innerText(), /Awaiting payment/);
      assert.ok((await page.locator("table.orders tbody tr").count()) >= 1, `${tag}: the order is listed`);
      const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(scroll <= width, `${tag} admin: page is ${scroll}px wide at a ${width}px viewport`);
      await shot(page, `admin-${tag}-dashboard`);
      await page.locator("#orders").scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${ARTIFACTS}/admin-${tag}-orders.png` });
      await context.close();
    }
  }
});

test("product page: transferred bytes and paint timings (printed, not asserted against targets)", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const bytes = {};
  page.on("response", async (r) => {
    const type = r.url().endsWith(".wasm") ? "wasm" : r.request().resourceType();
    const size = (await r.body().catch(() => Buffer.alloc(0))).length;
    const encoded = Number(r.headers()["content-length"] ?? 0);
    bytes[type] = (bytes[type] ?? 0) + (encoded || size);
  });
  await page.goto(`${SHOP}/products/rain-jacket`);
  await page.locator("html[data-hydrated=true]").waitFor();
  const paint = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const out = {};
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) if (e.name === "first-contentful-paint") out.fcp = e.startTime;
        }).observe({ type: "paint", buffered: true });
        new PerformanceObserver((list) => {
          const entries = list.getEntries();
          out.lcp = entries[entries.length - 1].startTime;
        }).observe({ type: "largest-contentful-paint", buffered: true });
        setTimeout(() => resolve(out), 300);
      }),
  );
  console.log(`product page: bytes by type ${JSON.stringify(bytes)}; FCP ${paint.fcp?.toFixed(0)} ms, LCP ${paint.lcp?.toFixed(0)} ms`);
  assert.ok(paint.fcp > 0 && paint.lcp > 0, "paint timings measured");
  assert.ok(bytes.document > 0 && bytes.stylesheet > 0 && bytes.script > 0 && bytes.wasm > 0, JSON.stringify(bytes));
  await context.close();
});

/// Minor units to the page's euros: 18900 → "€189.00" (grouping as the shop prints it).
function euros(minor) {
  const whole = Math.floor(Math.abs(minor) / 100).toLocaleString("en-US");
  return `€${whole}.${String(Math.abs(minor) % 100).padStart(2, "0")}`;
}

test("a discount code applied on the cart page changes the total, JS on and off", async () => {
  // A fresh code per run: 10% off, no limits.
  const code = `E2E${Date.now().toString(36).toUpperCase()}`;
  const created = await fetch(`${SHOP}/admin/api/discounts`, {
    method: "POST",
    headers: { authorization: `Bearer ${process.env.ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ code, kind: "percent", value: 1000 }),
  });
  assert.equal(created.status, 201, `create ${code}: ${await created.text()}`);

  for (const javaScriptEnabled of [true, false]) {
    const tag = javaScriptEnabled ? "js" : "nojs";
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled });
    const page = await context.newPage();
    const added = await page.request.post(`${SHOP}/api/cart/items`, {
      data: { sku: "OAK-CUTTING-BOARD-LARGE", quantity: 2 },
    });
    assert.ok(added.ok(), `add: ${added.status()}`);
    const before = (await (await page.request.get(`${SHOP}/api/cart`)).json()).totals;
    await page.goto(`${SHOP}/cart`);
    const total = page.locator("[data-total=total]");
    assert.match(await total.innerText(), new RegExp(euros(before.total).replace(".", "\\.")));
    if (javaScriptEnabled) {
      await page.locator("html[data-hydrated=true]").waitFor();
      await page.evaluate(() => (window.__sameDocument = true));
    }

    // A code that does not exist is refused in words, and the total stays.
    await page.getByLabel("Code", { exact: true }).fill("NOSUCHCODE");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.getByRole("alert").filter({ hasText: "There is no such discount code." }).first().waitFor();
    assert.match(await total.innerText(), new RegExp(euros(before.total).replace(".", "\\.")));

    // The real code, typed in lower case: 10% off each line, the new total shown.
    await page.getByLabel("Code", { exact: true }).fill(code.toLowerCase());
    await page.getByRole("button", { name: "Apply" }).click();
    const discount = page.locator("[data-total=discount]");
    await discount.waitFor();
    const after = (await (await page.request.get(`${SHOP}/api/cart`)).json());
    assert.equal(after.discount.code, code);
    assert.equal(after.discount.amount, Math.round(before.subtotal / 10));
    assert.ok(after.totals.total < before.total, "the total went down");
    await page.locator("[data-total=total]", { hasText: euros(after.totals.total) }).waitFor();
    assert.match(await discount.innerText(), new RegExp(euros(after.discount.amount).replace(".", "\\.")));
    assert.match(await page.locator("#discount-state").innerText(), new RegExp(code));
    if (javaScriptEnabled) {
      assert.equal(await page.evaluate(() => window.__sameDocument), true, "applied in place, no reload");
    }
    await shot(page, `${tag}-cart-discount`);

    // Removing it brings the first total back.
    await page.locator("#discount-remove button").click();
    await page.locator("[data-total=total]", { hasText: euros(before.total) }).waitFor();
    await discount.waitFor({ state: "hidden" });
    assert.equal((await (await page.request.get(`${SHOP}/api/cart`)).json()).discount, undefined);
    await context.close();
  }
});

test("every page and island runs without an error in the browser's console", async () => {
  // Hydration that does not match the server's HTML, a panic in an island, a script or style
  // the CSP refuses: each shows in the console. Answers the shop refuses on purpose (a 409 for
  // too many) are logged by Chromium as failed loads: those are the page working.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`${page.url()}: ${e.message}`));
  page.on("console", (m) => {
    if ((m.type() === "error" || m.type() === "warning") && !/Failed to load resource/.test(m.text())) {
      problems.push(`${page.url()}: ${m.type()}: ${m.text()}`);
    }
  });
  const hydrated = () => page.locator("html[data-hydrated=true]").waitFor();
  for (const path of ["/", "/collections/outdoor", "/search?q=tent", "/products/no-such-product"]) {
    await page.goto(`${SHOP}${path}`);
    await hydrated();
  }
  // The buy box: pick a variant, add it.
  await page.goto(`${SHOP}/products/linen-shirt?variant=LINEN-SHIRT-S-WHITE`);
  await hydrated();
  await page.getByRole("link", { name: "M", exact: true }).click();
  await page.waitForURL(/variant=LINEN-SHIRT-M-WHITE/);
  await page.getByRole("button", { name: "Add to cart" }).click();
  await page.locator(".cart-count", { hasText: "(1)" }).waitFor();
  // The cart: a step, a destination, a code refused.
  await page.goto(`${SHOP}/cart`);
  await hydrated();
  await page.evaluate(() => (window.__before = true));
  await page.getByRole("button", { name: /One more/ }).click();
  await page.waitForFunction(() => window.__before === undefined && document.documentElement.dataset.hydrated === "true");
  const shipped = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/cart/shipping");
  await page.getByLabel("Ship to").selectOption("DE");
  assert.equal((await shipped).status(), 200);
  await page.getByLabel("Code", { exact: true }).fill("NOSUCHCODE");
  await page.getByRole("button", { name: "Apply" }).click();
  await page.getByRole("alert").filter({ hasText: "There is no such discount code." }).first().waitFor();
  // The order page while it waits for its payment (its watch polls the order).
  const checkout = await page.request.post(`${SHOP}/api/checkout`, { data: { email: "shopper@example.com" } });
  assert.equal(checkout.status(), 201);
  const { order_id } = await checkout.json();
  const polled = page.waitForResponse((r) => r.url().endsWith(`/api/orders/${order_id}`));
  await page.goto(`${SHOP}/orders/${order_id}`);
  await hydrated();
  assert.equal((await polled).status(), 200);
  await context.close();
  assert.deepEqual(problems, []);
});

test("the order page's watch asks for eleven minutes, then says to reload instead of promising", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const added = await page.request.post(`${SHOP}/api/cart/items`, { data: { sku: "OAK-CUTTING-BOARD-LARGE", quantity: 1 } });
  assert.ok(added.ok(), `add: ${added.status()}`);
  const checkout = await page.request.post(`${SHOP}/api/checkout`, { data: { email: "shopper@example.com" } });
  assert.equal(checkout.status(), 201);
  const { order_id } = await checkout.json();
  // The page's clock is the test's: each jump lets the watch's next question go out.
  await page.clock.install();
  await page.goto(`${SHOP}/orders/${order_id}`);
  await page.locator("html[data-hydrated=true]").waitFor();
  const notice = page.locator("#payment-watch");
  assert.match(await notice.innerText(), /updates by itself/);
  const gaveUp = notice.filter({ hasText: /stopped checking/ });
  let questions = 0;
  for (let jumps = 0; jumps < 200; jumps++) {
    const asked = page
      .waitForResponse((r) => r.url().endsWith(`/api/orders/${order_id}`), { timeout: 0 })
      .then(() => "asked");
    const stopped = gaveUp.waitFor({ timeout: 0 }).then(() => "stopped");
    asked.catch(() => {});
    stopped.catch(() => {});
    // A watch that stops without a word would leave both waiting: 15 s of real time end it.
    let timer;
    const silent = new Promise((resolve) => (timer = setTimeout(() => resolve("silent"), 15_000)));
    await page.clock.fastForward(10_000);
    const what = await Promise.race([asked, stopped, silent]);
    clearTimeout(timer);
    if (what !== "asked") break;
    questions += 1;
  }
  assert.equal(questions, 90, "a minute at 2 s, then ten at 10 s");
  assert.match(await notice.innerText(), /^This page has stopped checking\. Reload it in a few minutes/);
  assert.equal(await notice.getAttribute("role"), "status", "read out when it changes");
  assert.equal(new URL(page.url()).pathname, `/orders/${order_id}`, "no reload while the order waits");
  await context.close();
});
