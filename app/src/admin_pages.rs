//! The merchant's pages under `/admin`: sign-in, then one page with stock, orders and the
//! catalog import. Plain server-rendered forms; every form carries the session's CSRF token.

use domain::{Currency, Money};
use leptos::prelude::*;

/// One SKU row of the stock table.
#[derive(Debug, Clone)]
pub struct StockRow {
    pub sku: String,
    pub title: String,
    pub price: i64,
    pub on_hand: u32,
    pub reserved: u32,
    pub available: u32,
}

/// One order row.
#[derive(Debug, Clone)]
pub struct OrderRow {
    pub id: String,
    pub status: String,
    pub created_at: i64,
    pub total: i64,
    pub email: String,
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

#[component]
pub fn AdminPage(view: AdminView) -> impl IntoView {
    let AdminView {
        csrf,
        currency,
        stock,
        orders,
        message,
        problems,
    } = view;
    let message = message.map(|(m, failed)| {
        view! { <p class=if failed { "alert" } else { "notice" } role=if failed { "alert" } else { "status" }>{m}</p> }
    });
    let problems = (!problems.is_empty()).then(|| {
        view! { <ul class="problems">{problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul> }
    });
    let stock_rows = stock
        .into_iter()
        .map(|r| {
            let csrf = csrf.clone();
            let id = format!("stock-{}", r.sku);
            view! {
                <tr>
                    <th scope="row">{r.title}<br/><small class="sku">{r.sku.clone()}</small></th>
                    <td class="num">{Money::new(r.price, currency).to_string()}</td>
                    <td class="num">{r.reserved}</td>
                    <td class="num">{r.available}</td>
                    <td>
                        <form class="inline" method="post" action="/admin/stock">
                            <input type="hidden" name="csrf" value=csrf/>
                            <input type="hidden" name="sku" value=r.sku.clone()/>
                            <label class="visually-hidden" for=id.clone()>{format!("On hand of {}", r.sku)}</label>
                            <input id=id type="number" name="on_hand" min="0" value=r.on_hand.to_string() required/>
                            <button type="submit">"Set"</button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let order_rows = orders
        .into_iter()
        .map(|o| {
            let (c1, c2) = (csrf.clone(), csrf.clone());
            let actions = match o.status.as_str() {
                "paid" | "fulfilled" => Some(view! {
                    <form class="inline" method="post" action=format!("/admin/orders/{}/fulfil", o.id)>
                        <input type="hidden" name="csrf" value=c1/>
                        <button type="submit" disabled=o.status == "fulfilled">"Fulfil"</button>
                    </form>
                    <form class="inline" method="post" action=format!("/admin/orders/{}/refund", o.id)>
                        <input type="hidden" name="csrf" value=c2/>
                        <label><input type="checkbox" name="restock" value="true"/>" restock"</label>
                        <button type="submit">"Refund"</button>
                    </form>
                }),
                _ => None,
            };
            view! {
                <tr>
                    <th scope="row"><a href=format!("/orders/{}", o.id)><code>{o.id.clone()}</code></a></th>
                    <td>{o.status}</td>
                    <td>{o.email}</td>
                    <td class="num">{Money::new(o.total, currency).to_string()}</td>
                    <td>{actions}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h1>"Shop admin"</h1>
        {message}
        {problems}
        <form class="inline" method="post" action="/admin/logout">
            <input type="hidden" name="csrf" value=csrf.clone()/>
            <button type="submit">"Sign out"</button>
        </form>
        <h2 id="orders">"Orders"</h2>
        <table class="cart">
            <thead><tr><th scope="col">"Order"</th><th scope="col">"Status"</th><th scope="col">"E-mail"</th><th scope="col" class="num">"Total"</th><th scope="col">"Actions"</th></tr></thead>
            <tbody>{order_rows}</tbody>
        </table>
        <h2 id="stock">"Stock"</h2>
        <table class="cart">
            <thead><tr><th scope="col">"Product"</th><th scope="col" class="num">"Price"</th><th scope="col" class="num">"Reserved"</th><th scope="col" class="num">"Available"</th><th scope="col">"On hand"</th></tr></thead>
            <tbody>{stock_rows}</tbody>
        </table>
        <h2 id="import">"Import the catalog"</h2>
        <form method="post" action="/admin/import" enctype="multipart/form-data">
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
            <label>
                <input type="checkbox" name="confirm" value="replace"/>
                " Yes, remove the products this file leaves out, even if that is most or all of them"
            </label>
            <button type="submit">"Import"</button>
        </form>
    }
}
