//! The interactive parts of pages: Leptos islands. Only these hydrate in the browser; the rest
//! of every page is plain server-rendered HTML. Each island renders the same working HTML form
//! or link on the server, so everything still works with JavaScript off; with it, the island
//! takes over the click or submit.
//!
//! Islands talk to the shop through its JSON API and tell each other about cart changes with a
//! `cart:updated` window event carrying the cart's unit count. The cart page's delivery choice
//! and discount code share the totals they redraw (`summary`).

use leptos::either::Either;
use leptos::prelude::*;
use serde::Serialize;
use std::{cell::Cell, rc::Rc};
use wire::{Json, Packed, Read};

/// One variant as the buy box needs it (already formatted on the server).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BuyVariant {
    pub sku: String,
    pub options: Vec<String>,
    pub price: String,
    pub availability: String,
    pub can_buy: bool,
    /// Most units the quantity field offers (1..=99).
    pub max: u32,
    /// The picture of this variant: its own, else the product's first (empty if none).
    pub image_src: String,
    pub image_alt: String,
}

/// One option (`Size`) and its values in display order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BuyOption {
    pub name: String,
    pub values: Vec<String>,
}

impl Read for BuyVariant {
    fn read<J: Json>(j: &J) -> Self {
        BuyVariant {
            sku: wire::text(j, "sku"),
            options: wire::field(j, "options").unwrap_or_default(),
            price: wire::text(j, "price"),
            availability: wire::text(j, "availability"),
            can_buy: wire::flag(j, "can_buy"),
            // At least one unit, whatever came (the server sends 1 to 99).
            max: wire::field::<_, u32>(j, "max").unwrap_or(1).max(1),
            image_src: wire::text(j, "image_src"),
            image_alt: wire::text(j, "image_alt"),
        }
    }
}

impl Read for BuyOption {
    fn read<J: Json>(j: &J) -> Self {
        BuyOption {
            name: wire::text(j, "name"),
            values: wire::field(j, "values").unwrap_or_default(),
        }
    }
}

/// The variant with `value` for option `i` and every other option as in `current`: what picking
/// `value` selects. `None` when the catalog has no such combination; the picker then marks the
/// value as not available instead of jumping to some other variant.
pub fn variant_with<'a>(
    variants: &'a [BuyVariant],
    current: &BuyVariant,
    i: usize,
    value: &str,
) -> Option<&'a BuyVariant> {
    variants.iter().find(|v| {
        v.options.len() == current.options.len()
            && v.options.iter().enumerate().all(|(j, o)| {
                if j == i {
                    o == value
                } else {
                    current.options.get(j) == Some(o)
                }
            })
    })
}

/// `current`'s option values with `value` in place `i`, as the shopper reads them (`S / Sand`).
pub fn combination(current: &BuyVariant, i: usize, value: &str) -> String {
    let values: Vec<&str> = current
        .options
        .iter()
        .enumerate()
        .map(|(j, o)| if j == i { value } else { o.as_str() })
        .collect();
    values.join(" / ")
}

/// Price, availability, option pickers and the add-to-cart form of a product page.
#[island]
pub fn ProductBuy(
    handle: String,
    /// The product's title: a refusal names the variant by it, as the cart does.
    title: String,
    #[prop(into)] options: Packed<Vec<BuyOption>>,
    #[prop(into)] variants: Packed<Vec<BuyVariant>>,
    selected: String,
) -> impl IntoView {
    let (Packed(options), Packed(variants)) = (options, variants);
    let variants = StoredValue::new(variants);
    let (sku, set_sku) = signal(selected);
    let current = move || {
        variants.with_value(|vs| {
            vs.iter()
                .find(|v| v.sku == sku.get())
                .or_else(|| vs.first())
                .cloned()
        })
    };
    let field =
        move |f: fn(&BuyVariant) -> String| move || current().map(|v| f(&v)).unwrap_or_default();
    let can_buy = move || current().is_some_and(|v| v.can_buy);
    let (status, set_status) = signal(String::new());
    let quantity = NodeRef::<leptos::html::Input>::new();
    let handle = StoredValue::new(handle);
    let title = StoredValue::new(title);

    let pickers = options
        .into_iter()
        .enumerate()
        .map(|(i, option)| {
            let values = option
                .values
                .into_iter()
                .map(|value| {
                    let value = StoredValue::new(value);
                    let target = move || {
                        let cur = current()?;
                        variants.with_value(|vs| value.with_value(|val| variant_with(vs, &cur, i, val).cloned()))
                    };
                    let is_current = move || {
                        current().is_some_and(|v| value.with_value(|val| v.options.get(i) == Some(val)))
                    };
                    let choose = move |ev: leptos::ev::MouseEvent| {
                        if let Some(v) = target() {
                            ev.prevent_default();
                            set_status.set(String::new());
                            browser::replace_url(&format!("/products/{}?variant={}", handle.get_value(), v.sku));
                            browser::show_image(&v.image_src, &v.image_alt);
                            set_sku.set(v.sku);
                        }
                    };
                    // A combination the catalog has: a link to it, marked when sold out. One it
                    // lacks: marked and not a link, so picking never lands on another variant.
                    move || match target() {
                        Some(t) => {
                            let sold_out = !t.can_buy;
                            Either::Left(view! {
                                <li>
                                    <a href=format!("/products/{}?variant={}", handle.get_value(), t.sku) class:selected=is_current class:sold-out=sold_out aria-current=move || is_current().then_some("true") on:click=choose>
                                        {value.get_value()}
                                        {sold_out.then(|| view! { <span class="visually-hidden">" (sold out)"</span> })}
                                    </a>
                                </li>
                            })
                        }
                        None => {
                            let missing = current()
                                .map(|cur| value.with_value(|val| combination(&cur, i, val)))
                                .unwrap_or_default();
                            Either::Right(view! {
                                <li>
                                    <span class="unavailable" aria-disabled="true" title=format!("{missing} is not available")>
                                        {value.get_value()}
                                        <span class="visually-hidden">" (not available in this combination)"</span>
                                    </span>
                                </li>
                            })
                        }
                    }
                })
                .collect_view();
            view! {
                <div class="option">
                    <span class="option-name">{option.name}</span>
                    <ul class="option-values">{values}</ul>
                </div>
            }
        })
        .collect_view();

    // Adds sent so far: the number of the latest.
    let adds = Rc::new(Cell::new(0u32));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let qty: u32 = quantity
            .get()
            .and_then(|i| i.value().trim().parse().ok())
            .unwrap_or(1);
        let sent_sku = sku.get_untracked();
        let body = format!("{{\"sku\":{},\"quantity\":{qty}}}", wire::string(&sent_sku));
        let name = current()
            .map(|v| domain::catalog::variant_title(&title.get_value(), &v.options))
            .unwrap_or_default();
        set_status.set("Adding…".into());
        let mine = adds.get().wrapping_add(1);
        adds.set(mine);
        let adds = adds.clone();
        browser::spawn(async move {
            let answer = browser::send("POST", "/api/cart/items", Some(body)).await;
            // Only the latest add speaks: an earlier one answered late has an older count.
            if adds.get() != mine {
                return;
            }
            match answer {
                Ok(cart) => {
                    let units = cart.units;
                    browser::cart_updated(units);
                    set_status.set(format!(
                        "Added. Your cart has {units} item{}.",
                        if units == 1 { "" } else { "s" }
                    ));
                }
                Err(detail) => set_status.set(named(&detail, &sent_sku, &name)),
            }
        });
    };

    view! {
        <p class="price" data-sku=move || sku.get()>{field(|v| v.price.clone())}</p>
        <p class=move || if can_buy() { "availability" } else { "availability sold-out" }>{field(|v| v.availability.clone())}</p>
        <p class="selected-variant">{field(|v| v.options.join(" / "))}</p>
        <div class="options">{pickers}</div>
        <form class="add-to-cart" method="post" action="/cart/add" on:submit=submit>
            <input type="hidden" name="sku" prop:value=move || sku.get() value=move || sku.get()/>
            <label for="quantity">"Quantity"</label>
            <input node_ref=quantity id="quantity" type="number" name="quantity" value="1" min="1" max=move || current().map_or(1, |v| v.max).to_string() required/>
            <button type="submit" disabled=move || !can_buy()>{move || if can_buy() { "Add to cart" } else { "Sold out" }}</button>
        </form>
        <p class="buy-status" role="status" aria-live="polite">{move || status.get()}</p>
    }
}

/// The header's cart link with the number of items, which is per shopper: the cached page has
/// none, the island fills it in and keeps it current.
#[island]
pub fn CartLink() -> impl IntoView {
    let (units, set_units) = signal(0u64);
    // Whether a `cart:updated` came: its count is newer than what the first read may still
    // bring back (a shopper who adds at once can have the add answered first).
    let updated = Rc::new(Cell::new(false));
    let seen = updated.clone();
    browser::spawn(async move {
        if let Ok(cart) = browser::send("GET", "/api/cart", None).await {
            if !seen.get() {
                set_units.set(cart.units);
            }
        }
    });
    browser::on_cart_updated(move |n| {
        updated.set(true);
        set_units.set(n);
    });
    view! {
        <a class="cart-link" href="/cart">
            "Cart"
            <span class="cart-count">{move || (units.get() > 0).then(|| format!(" ({})", units.get()))}</span>
        </a>
    }
}

/// On the order page while it waits for the payment: asks `GET /api/orders/{id}` every 2 s for
/// a minute, then every 10 s for ten more (a payment's confirmation can be late), and reloads
/// the page once the order has moved on (the webhook landed). If it has not by then, the notice
/// says so instead of promising an update. Without JavaScript the page's `<noscript>` refresh
/// does the same.
#[island]
pub fn PaymentWatch(order_id: String) -> impl IntoView {
    browser::watch_payment(order_id);
    view! {
        <p id="payment-watch" class="notice" role="status">"This page updates by itself once the payment is confirmed."</p>
    }
}

/// Seconds before asking about the order the `attempt`th time (from 0); `None`: stop asking.
pub fn payment_poll_delay(attempt: u32) -> Option<u32> {
    match attempt {
        0..30 => Some(2),
        30..90 => Some(10),
        _ => None,
    }
}

/// What the payment watch says once it has stopped asking.
pub const PAYMENT_WATCH_GAVE_UP: &str = "This page has stopped checking. Reload it in a few minutes to see whether your payment went through; a receipt comes by e-mail once it has.";

/// − and + around a cart line's quantity. Each step shows in the field at once and goes to the
/// cart, one change at a time: steps taken while one is on its way go as one change once it is
/// answered; then the page reloads with the cart's new lines and totals. A refusal (not that
/// many left) shows its sentence under the field, which goes back to what the cart holds.
/// Without JavaScript, − and + are the update form's own submit buttons (`step=-1` / `step=1`
/// beside the quantity), and Update posts the typed quantity.
#[island]
pub fn QuantityStepper(
    sku: String,
    #[prop(into)] quantity: Packed<u32>,
    label: String,
) -> impl IntoView {
    let Packed(quantity) = quantity;
    let input = NodeRef::<leptos::html::Input>::new();
    let id = format!("qty-{sku}");
    let error_id = format!("qty-error-{sku}");
    let alert = format!("#{error_id}");
    // The quantity the cart holds as last answered, and whether a change is on its way.
    let (held, busy) = (Rc::new(Cell::new(quantity)), Rc::new(Cell::new(false)));
    let field = move || {
        input
            .get_untracked()
            .and_then(|i| i.value().trim().parse::<u32>().ok())
    };
    let show = move |q: u32| {
        if let Some(i) = input.get_untracked() {
            i.set_value(&q.to_string());
        }
    };
    let (path, title) = (format!("/api/cart/items/{sku}"), label.clone());
    let step = {
        let sku = sku.clone();
        move |delta: i64| {
            let now = field().unwrap_or(held.get());
            show((i64::from(now) + delta).clamp(0, 99) as u32);
            browser::show_error(&alert, "");
            if busy.replace(true) {
                // The change on its way sends the field again once answered.
                return;
            }
            let (held, busy, path) = (held.clone(), busy.clone(), path.clone());
            let (sku, title, alert) = (sku.clone(), title.clone(), alert.clone());
            browser::spawn(async move {
                loop {
                    let want = field().unwrap_or(held.get());
                    let body = format!("{{\"quantity\":{want}}}");
                    match browser::send("PATCH", &path, Some(body)).await {
                        Ok(_) => {
                            held.set(want);
                            match field() {
                                Some(now) if now != want => continue,
                                _ => browser::reload(),
                            }
                        }
                        Err(detail) => {
                            show(held.get());
                            browser::show_error(&alert, &named(&detail, &sku, &title));
                        }
                    }
                    break;
                }
                busy.set(false);
            });
        }
    };
    let more = step.clone();
    view! {
        <form class="inline stepper" method="post" action="/cart/update">
            <input type="hidden" name="sku" value=sku/>
            // The form's default button (Enter in the field): posts the typed quantity, no step.
            <button type="submit" class="visually-hidden" tabindex="-1" aria-hidden="true">"Update"</button>
            <button type="submit" name="step" value="-1" class="step" aria-label=format!("One fewer {label}") on:click=move |ev: leptos::ev::MouseEvent| { ev.prevent_default(); step(-1) }>"−"</button>
            <label class="visually-hidden" for=id.clone()>{format!("Quantity of {label}")}</label>
            <input node_ref=input id=id type="number" name="quantity" value=quantity.to_string() min="0" max="99" required aria-describedby=error_id.clone()/>
            <button type="submit" name="step" value="1" class="step" aria-label=format!("One more {label}") on:click=move |ev: leptos::ev::MouseEvent| { ev.prevent_default(); more(1) }>"+"</button>
            <button type="submit">"Update"</button>
        </form>
        <p id=error_id class="alert stepper-error" role="alert" hidden></p>
    }
}

/// An error's `detail` as a shopper reads it: the API's details are written in lower case
/// without a full stop (`only 2 of X left`); pages and islands show `Only 2 of X left.`
pub fn sentence(detail: &str) -> String {
    let detail = detail.trim();
    let mut out = String::with_capacity(detail.len() + 1);
    let mut chars = detail.chars();
    if let Some(first) = chars.next() {
        out.push(first.to_ascii_uppercase());
        out.push_str(chars.as_str());
    }
    if !out.is_empty() && !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// `detail` with the first `sku` in it read as `title`: the API names lines by SKU, the
/// shopper by name (the cart page and the islands). A byte search: `str::replace`'s searcher
/// weighs 1.7 KB in the bundle.
pub fn named(detail: &str, sku: &str, title: &str) -> String {
    let at = (!sku.is_empty())
        .then(|| {
            detail
                .as_bytes()
                .windows(sku.len())
                .position(|w| w == sku.as_bytes())
        })
        .flatten();
    match at {
        Some(i) => format!("{}{title}{}", &detail[..i], &detail[i + sku.len()..]),
        None => detail.to_owned(),
    }
}

/// What the islands read of the shop's JSON answers: a cart's unit count and totals, or an
/// error's sentence for the shopper. Read by [`wire`], leniently: an order's `shipping` and
/// `discount` have other shapes than a cart's, and still read.
#[derive(Debug, Default)]
pub struct Answer {
    pub units: u64,
    pub detail: Option<String>,
    /// The error's sentence under its other name.
    pub message: Option<String>,
    /// An order's status.
    pub status: Option<String>,
    /// A cart's destination and rates, and its totals (in a shop with shipping settings).
    pub shipping: Option<Shipping>,
    pub totals: Option<Sums>,
    /// A cart's discount code and what it takes off (an order's too, in another shape: read
    /// leniently, see [`CartDiscount`]).
    pub discount: Option<CartDiscount>,
}

impl Read for Answer {
    fn read<J: Json>(j: &J) -> Self {
        Answer {
            units: u64::try_from(wire::int(j, "units")).unwrap_or(0),
            detail: wire::text_opt(j, "detail"),
            message: wire::text_opt(j, "message"),
            status: wire::text_opt(j, "status"),
            shipping: wire::field(j, "shipping"),
            totals: wire::field(j, "totals"),
            discount: wire::field(j, "discount"),
        }
    }
}

mod browser;
mod delivery;
mod discount;
mod summary;
pub mod wire;

pub use delivery::{sums_rows, DeliveryChoice, ShipOption, Shipping, Sums};
pub use discount::{CartDiscount, DiscountCode};

#[cfg(test)]
mod tests;
