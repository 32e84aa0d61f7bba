//! The merchant's pages under `/admin`: sign-in, then one page with orders, stock, discount
//! codes ([`discounts`]), shipping settings and the catalog import. Plain server-rendered
//! forms; every form carries the session's CSRF token.

use domain::{Currency, Money};
use leptos::prelude::*;

pub mod discounts;

/// One SKU row of the stock table.
#[derive(Debug, Clone)]
pub struct StockRow {
    pub sku: String,
    pub title: String,
    pub price: i64,
    pub on_hand: u32,
    pub reserved: u32,
    pub available: u32,
    /// How many bucket objects its stock is spread over (1: not split).
    pub buckets: u32,
}

/// One order row, as the order index summarises it.
#[derive(Debug, Clone)]
pub struct OrderRow {
    pub id: String,
    pub status: String,
    pub created_at: i64,
    pub total: i64,
    pub email: String,
    /// Where it ships, `FR` (absent in a shop without shipping settings).
    pub country: Option<String>,
    /// The shipping and tax parts of `total`.
    pub shipping: Option<i64>,
    pub tax: Option<i64>,
    /// What the gateway charged, once paid.
    pub amount_paid: Option<i64>,
    /// The address once paid, one line after another (`\n` between them).
    pub address: Option<String>,
    /// The discount code it was placed with.
    pub discount: Option<String>,
    /// Its e-mails at a glance: `sent`, `pending`, `retrying` or `failed`.
    pub mail: Option<String>,
}

impl OrderRow {
    /// The amount paid when it differs from the total: for the merchant to look into.
    pub fn amount_mismatch(&self) -> Option<i64> {
        self.amount_paid.filter(|paid| *paid != self.total)
    }
}

#[derive(Debug, Clone)]
pub struct AdminView {
    pub csrf: String,
    pub currency: Currency,
    pub stock: Vec<StockRow>,
    pub orders: Vec<OrderRow>,
    /// The outcome of the last action (plain words), and whether it failed.
    pub message: Option<(String, bool)>,
    /// Problems of a refused import, `path: message`.
    pub problems: Vec<String>,
    /// The shop's shipping and tax settings, if it has any.
    pub settings: Option<domain::Settings>,
    /// Every discount code with its uses.
    pub discounts: Vec<domain::discount::Summary>,
    /// Unix seconds, for the codes' status (scheduled, ended).
    pub now: i64,
}

#[component]
pub fn SignInPage(error: Option<String>) -> impl IntoView {
    view! {
        <h1>"Shop admin"</h1>
        {error.map(|e| view! { <p class="alert" role="alert">{e}</p> })}
        <form class="checkout" method="post" action="/admin/login">
            <label for="token">"Admin token"</label>
            <input id="token" type="password" name="token" autocomplete="current-password" required/>
            <button type="submit">"Sign in"</button>
        </form>
    }
}

/// `2026-11-30 14:05 UTC` from Unix seconds (proleptic Gregorian, no time zone database).
pub fn utc_minute(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Days to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60
    )
}

/// What the merchant reads of an order's status, and the badge's tone.
fn status_badge(status: &str) -> (&'static str, &'static str) {
    match status {
        "paid" => ("Paid, to fulfil", "todo"),
        "fulfilled" => ("Fulfilled", "done"),
        "refunded" => ("Refunded", "muted"),
        "awaiting_payment" | "pending" => ("Awaiting payment", "wait"),
        "expired" => ("Expired", "muted"),
        "failed" => ("Payment failed", "bad"),
        _ => ("Other", "muted"),
    }
}

/// Units at or below which a SKU counts as running low.
pub const LOW_STOCK: u32 = 3;

#[component]
pub fn AdminPage(view: AdminView) -> impl IntoView {
    let AdminView {
        csrf,
        currency,
        stock,
        orders,
        message,
        problems,
        settings,
        discounts,
        now,
    } = view;
    let message = message.map(|(m, failed)| {
        view! { <p class=if failed { "alert" } else { "notice" } role=if failed { "alert" } else { "status" }>{m}</p> }
    });
    let problems = (!problems.is_empty()).then(|| {
        view! { <ul class="problems" role="alert">{problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul> }
    });
    let to_fulfil = orders.iter().filter(|o| o.status == "paid").count();
    let awaiting = orders
        .iter()
        .filter(|o| matches!(o.status.as_str(), "awaiting_payment" | "pending"))
        .count();
    let mismatched = orders
        .iter()
        .filter(|o| o.amount_mismatch().is_some())
        .count();
    let sold_out = stock.iter().filter(|r| r.available == 0).count();
    let low = stock
        .iter()
        .filter(|r| (1..=LOW_STOCK).contains(&r.available))
        .count();
    let stats = view! {
        <dl class="admin-stats">
            <div><dt>"To fulfil"</dt><dd>{to_fulfil}</dd></div>
            <div><dt>"Awaiting payment"</dt><dd>{awaiting}</dd></div>
            <div><dt>"Running low"</dt><dd>{low}</dd></div>
            <div><dt>"Sold out"</dt><dd>{sold_out}</dd></div>
            {(mismatched > 0).then(|| view! { <div class="warn"><dt>"Paid ≠ total"</dt><dd>{mismatched}</dd></div> })}
        </dl>
    };
    let stock_rows = stock
        .into_iter()
        .map(|r| {
            let csrf = csrf.clone();
            let id = format!("stock-{}", r.sku);
            let buckets_id = format!("buckets-{}", r.sku);
            let level = if r.available == 0 {
                "out"
            } else if r.available <= LOW_STOCK {
                "low"
            } else {
                ""
            };
            view! {
                <tr class=level>
                    <th scope="row">{r.title}<br/><small class="sku">{r.sku.clone()}</small></th>
                    <td class="num" data-label="Price">{Money::new(r.price, currency).to_string()}</td>
                    <td class="num" data-label="Reserved">{r.reserved}</td>
                    <td class="num" data-label="Available">{r.available}</td>
                    <td data-label="On hand">
                        <form class="inline set-stock" method="post" action="/admin/stock">
                            <input type="hidden" name="csrf" value=csrf/>
                            <input type="hidden" name="sku" value=r.sku.clone()/>
                            <label class="visually-hidden" for=id.clone()>{format!("On hand of {}", r.sku)}</label>
                            <input id=id type="number" name="on_hand" min="0" value=r.on_hand.to_string() required/>
                            <label class="buckets" for=buckets_id.clone() title="Spread a hot product's stock over this many objects (1 to 64)">"over"</label>
                            <input id=buckets_id class="buckets" type="number" name="buckets" min="1" max="64" value=r.buckets.to_string()/>
                            <button type="submit">"Set"</button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let no_orders = orders
        .is_empty()
        .then(|| view! { <p class="empty">"No orders yet. They appear here as soon as a shopper checks out."</p> });
    let order_rows = orders
        .into_iter()
        .map(|o| {
            let (c1, c2) = (csrf.clone(), csrf.clone());
            let (label, tone) = status_badge(&o.status);
            let actions = match o.status.as_str() {
                "paid" | "fulfilled" => Some(view! {
                    <form class="inline" method="post" action=format!("/admin/orders/{}/fulfil", o.id)>
                        <input type="hidden" name="csrf" value=c1/>
                        <button type="submit" disabled=o.status == "fulfilled">"Fulfil"</button>
                    </form>
                    <form class="inline" method="post" action=format!("/admin/orders/{}/refund", o.id)>
                        <input type="hidden" name="csrf" value=c2/>
                        <label class="restock"><input type="checkbox" name="restock" value="true"/>" restock"</label>
                        <button type="submit" class="secondary">"Refund"</button>
                    </form>
                }),
                _ => None,
            };
            let mismatch = o.amount_mismatch().map(|paid| {
                let paid = Money::new(paid, currency);
                view! { <span class="status bad mismatch" title="The payment differs from the order's total: check it with the payment service">{format!("Paid {paid} ≠ total")}</span> }
            });
            let flagged = mismatch.is_some();
            let mail = match o.mail.as_deref() {
                Some("failed") => Some(("E-mail failed", "bad", "The shopper's e-mail could not be sent after every retry: see the order in the admin API")),
                Some("retrying") => Some(("E-mail retrying", "todo", "Sending the shopper's e-mail failed; it is retried with backoff")),
                _ => None,
            }
            .map(|(label, tone, why)| view! { <br/><span class=format!("status {tone} mail") title=why>{label}</span> });
            let code = o.discount.map(|c| view! { <small class="parts discount-code">"code\u{a0}"{c}</small> });
            let parts = [("shipping", o.shipping), ("tax", o.tax)]
                .into_iter()
                .filter_map(|(name, amount)| Some(format!("{name}\u{a0}{}", Money::new(amount?, currency))))
                .collect::<Vec<_>>()
                .join(" · ");
            let parts = (!parts.is_empty()).then(|| view! { <small class="parts">{parts}</small> });
            view! {
                <tr class:mismatch=flagged>
                    <th scope="row"><a href=format!("/orders/{}", o.id)><code>{o.id.clone()}</code></a><br/><small class="sku">{utc_minute(o.created_at)}</small></th>
                    <td data-label="Status"><span class=format!("status {tone}")>{label}</span>{mail}</td>
                    <td data-label="E-mail" class="email">{o.email}</td>
                    <td data-label="Ships to" class="ship-to">{ship_to(o.country, o.address)}</td>
                    <td class="num" data-label="Total">
                        <div class="amounts"><span data-total="total">{Money::new(o.total, currency).to_string()}</span>{parts}{code}{mismatch}</div>
                    </td>
                    <td data-label="Actions" class="actions">{actions}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="admin">
            <header class="admin-head">
                <h1>"Shop admin"</h1>
                <nav aria-label="Admin sections">
                    <a href="#orders">"Orders"</a>
                    <a href="#stock">"Stock"</a>
                    <a href="#discounts">"Discounts"</a>
                    <a href="#shipping">"Shipping"</a>
                    <a href="#import">"Import"</a>
                </nav>
                <form class="inline" method="post" action="/admin/logout">
                    <input type="hidden" name="csrf" value=csrf.clone()/>
                    <button type="submit" class="secondary">"Sign out"</button>
                </form>
            </header>
            {message}
            {problems}
            {stats}
            <section aria-labelledby="orders">
                <h2 id="orders">"Orders"</h2>
                {no_orders}
                <table class="cart admin-table orders">
                    <thead><tr><th scope="col">"Order"</th><th scope="col">"Status"</th><th scope="col">"E-mail"</th><th scope="col">"Ships to"</th><th scope="col" class="num">"Total"</th><th scope="col">"Actions"</th></tr></thead>
                    <tbody>{order_rows}</tbody>
                </table>
            </section>
            <section aria-labelledby="stock">
                <h2 id="stock">"Stock"</h2>
                <p class="hint">{format!("Rows in amber have {LOW_STOCK} or fewer units a shopper can buy; rows in red have none.")}</p>
                <table class="cart admin-table stock">
                    <thead><tr><th scope="col">"Product"</th><th scope="col" class="num">"Price"</th><th scope="col" class="num">"Reserved"</th><th scope="col" class="num">"Available"</th><th scope="col">"On hand"</th></tr></thead>
                    <tbody>{stock_rows}</tbody>
                </table>
            </section>
            {discounts::section(csrf.clone(), currency, now, discounts)}
            <ShippingSection csrf=csrf.clone() currency=currency settings=settings/>
            <section aria-labelledby="import" class="panel">
                <h2 id="import">"Import the catalog"</h2>
                <form class="import" method="post" action="/admin/import" enctype="multipart/form-data">
                    <input type="hidden" name="csrf" value=csrf/>
                    <fieldset>
                        <legend>"Format"</legend>
                        <label><input type="radio" name="format" value="json" checked/>" JSON (the whole catalog)"</label>
                        <label><input type="radio" name="format" value="csv"/>" CSV (products, one row per variant)"</label>
                    </fieldset>
                    <label for="file">"Catalog file (JSON or CSV, up to 8 MiB)"</label>
                    <input id="file" type="file" name="file" accept=".json,.csv,application/json,text/csv"/>
                    <label for="catalog">"…or paste its contents"</label>
                    <textarea id="catalog" name="catalog" rows="8"></textarea>
                    <label class="confirm">
                        <input type="checkbox" name="confirm" value="replace"/>
                        " Yes, remove the products this file leaves out, even if that is most or all of them"
                    </label>
                    <button type="submit">"Import"</button>
                </form>
            </section>
        </div>
    }
}

/// An order's destination: the country's name, and the address lines once paid.
fn ship_to(country: Option<String>, address: Option<String>) -> impl IntoView {
    let lines = address
        .map(|a| crate::countries::address_lines(a.lines().map(str::to_owned).collect()))
        .unwrap_or_default();
    let country = country.map(|c| crate::countries::country_label(&c));
    // The address ends with the country: no need to say it twice.
    let only_country = lines.is_empty().then_some(country).flatten();
    (only_country.is_some() || !lines.is_empty()).then(|| {
        view! {
            <div>
                {only_country}
                {(!lines.is_empty()).then(|| view! {
                    <address>{lines.into_iter().map(|l| view! { <span>{l}</span> }).collect_view()}</address>
                })}
            </div>
        }
    })
}

/// The admin's shipping and tax section: the zones at a glance, and the settings as JSON to
/// edit (validated on save, problems listed with their paths above).
#[component]
fn ShippingSection(
    csrf: String,
    currency: Currency,
    settings: Option<domain::Settings>,
) -> impl IntoView {
    let json = settings
        .as_ref()
        .and_then(|s| serde_json::to_string_pretty(s).ok())
        .unwrap_or_default();
    let summary = settings.map(|s| {
        let included = if s.tax.prices_include_tax {
            "Prices include tax"
        } else {
            "Tax is added to prices"
        };
        let zones = s
            .shipping
            .iter()
            .map(|z| {
                let countries = z
                    .countries
                    .iter()
                    .map(|c| c.code().to_owned())
                    .collect::<Vec<_>>()
                    .join(", ");
                let rates = z
                    .rates
                    .iter()
                    .map(|r| format!("{} {}", r.name, Money::new(r.amount, currency)))
                    .collect::<Vec<_>>()
                    .join(" · ");
                view! { <tr><th scope="row">{z.name.clone()}</th><td data-label="Countries">{countries}</td><td data-label="Rates">{rates}</td></tr> }
            })
            .collect_view();
        view! {
            <p class="hint">{format!("{included}; default country {}.", s.tax.default_country)}</p>
            <table class="cart admin-table">
                <thead><tr><th scope="col">"Zone"</th><th scope="col">"Countries"</th><th scope="col">"Rates"</th></tr></thead>
                <tbody>{zones}</tbody>
            </table>
        }
    });
    view! {
        <section aria-labelledby="shipping" class="panel">
            <h2 id="shipping">"Shipping and taxes"</h2>
            {summary}
            <form class="import" method="post" action="/admin/settings">
                <input type="hidden" name="csrf" value=csrf/>
                <label for="settings">"Settings (JSON: zones, rates, tax)"</label>
                <textarea id="settings" name="settings" rows="12">{json}</textarea>
                <button type="submit">"Save settings"</button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::utc_minute;

    #[test]
    fn unix_seconds_read_as_utc_minutes() {
        assert_eq!(utc_minute(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_minute(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc_minute(1_796_047_500), "2026-11-30 14:05 UTC");
        assert_eq!(utc_minute(-1), "1969-12-31 23:59 UTC");
    }
}
