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
  await page.getByLabel("Card number").fill(card);
  await page.getByLabel("Expiry date (MM/YY)").fill("12/34");
  await page.getByLabel("Security code (CVC)").fill("123");
  await page.getByRole("button", { name: /^Pay / }).click();
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

  // Pick the olive colour: the price and the SKU that will be posted follow.
  await page.getByRole("link", { name: "Olive" }).click();
  await page.waitForURL(/variant=CAMPING-TENT-2-PERSON-OLIVE/);
  assert.equal(await page.locator("input[name=sku]").getAttribute("value"), "CAMPING-TENT-2-PERSON-OLIVE");
  assert.match(await page.locator(".details .price").innerText(), /€189\.00/);
  await shot(page, `${tag}-4-product`);

  await page.getByLabel("Quantity").fill("1");
  await page.getByRole("button", { name: "Add to cart" }).click();
  await page.waitForURL(/\/cart$/);
  const row = page.locator("tr[data-sku=CAMPING-TENT-2-PERSON-OLIVE]");
  await row.getByRole("spinbutton").fill("2");
  await row.getByRole("button", { name: "Update" }).click();
  await page.waitForURL(/\/cart$/);
  assert.match(await page.locator(".subtotal").innerText(), /€378\.00/);
  await shot(page, `${tag}-5-cart`);

  await page.getByLabel("E-mail for your receipt").fill("shopper@example.com");
  await page.getByRole("button", { name: "Check out" }).click();
  await page.waitForURL(/\/pay\/cs_test_/);
  assert.match(await page.locator("h1").innerText(), /378\.00 EUR/);
  await shot(page, `${tag}-6-payment`);

  await pay(page, "4242 4242 4242 4242");
  await page.waitForURL(/\/orders\/ord_/);
  // The webhook may land a moment after the redirect: the page says so; reload until paid.
  for (let i = 0; i < 40 && !(await page.locator("h1").innerText()).includes("Thank you"); i++) {
    await page.waitForTimeout(250);
    await page.reload();
  }
  assert.equal(await page.locator("h1").innerText(), "Thank you for your order");
  assert.match(await page.locator("p.status").innerText(), /Paid/);
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
  await page.getByRole("button", { name: "Add to cart" }).click();
  await page.waitForURL(/\/cart$/);
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

test("no serious or critical accessibility violations (axe-core)", async () => {
  // axe is injected as a script: let it past the shop's CSP for this audit only.
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${SHOP}/products/oak-cutting-board`);
  await page.getByRole("button", { name: "Add to cart" }).click();
  await page.waitForURL(/\/cart$/);
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
