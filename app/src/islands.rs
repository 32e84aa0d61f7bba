//! The interactive parts of pages: Leptos islands. Only these hydrate in the browser; the rest
//! of every page is plain server-rendered HTML. Each island renders the same working HTML form
//! or link on the server, so everything still works with JavaScript off; with it, the island
//! takes over the click or submit.
//!
//! Islands talk to the shop through its JSON API and tell each other about cart changes with a
//! `cart:updated` window event carrying the cart's unit count.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One variant as the buy box needs it (already formatted on the server).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuyVariant {
    pub sku: String,
    pub options: Vec<String>,
    pub price: String,
    pub availability: String,
    pub can_buy: bool,
    /// Most units the quantity field offers (1..=99).
    pub max: u32,
}

/// One option (`Size`) and its values in display order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuyOption {
    pub name: String,
    pub values: Vec<String>,
}

/// The variant reached by choosing `value` for option `i` from `current`: the one that keeps
/// the other choices if it exists, else the first with that value.
pub fn variant_for<'a>(
    variants: &'a [BuyVariant],
    current: &BuyVariant,
    i: usize,
    value: &str,
) -> Option<&'a BuyVariant> {
    let with_value = |v: &&BuyVariant| v.options.get(i).is_some_and(|o| o == value);
    variants
        .iter()
        .filter(with_value)
        .find(|v| {
            v.options
                .iter()
                .enumerate()
                .all(|(j, o)| j == i || current.options.get(j) == Some(o))
        })
        .or_else(|| variants.iter().find(with_value))
}

/// Price, availability, option pickers and the add-to-cart form of a product page.
#[island]
pub fn ProductBuy(
    handle: String,
    options: Vec<BuyOption>,
    variants: Vec<BuyVariant>,
    selected: String,
) -> impl IntoView {
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
                        variants.with_value(|vs| value.with_value(|val| variant_for(vs, &cur, i, val).cloned()))
                    };
                    let href = move || {
                        target().map(|v| format!("/products/{}?variant={}", handle.get_value(), v.sku))
                    };
                    let is_current = move || {
                        current().is_some_and(|v| value.with_value(|val| v.options.get(i) == Some(val)))
                    };
                    let choose = move |ev: leptos::ev::MouseEvent| {
                        if let Some(v) = target() {
                            ev.prevent_default();
                            set_status.set(String::new());
                            browser::replace_url(&format!("/products/{}?variant={}", handle.get_value(), v.sku));
                            set_sku.set(v.sku);
                        }
                    };
                    view! {
                        <li>
                            <a href=href class:selected=is_current aria-current=move || is_current().then_some("true") on:click=choose>
                                {value.get_value()}
                            </a>
                        </li>
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

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let qty: u32 = quantity
            .get()
            .and_then(|i| i.value().trim().parse().ok())
            .unwrap_or(1);
        let body = browser::json(&AddItem {
            sku: sku.get_untracked(),
            quantity: qty,
        });
        set_status.set("Adding…".into());
        browser::spawn(async move {
            match browser::send("POST", "/api/cart/items", Some(body)).await {
                Ok(cart) => {
                    let units = cart.units;
                    browser::cart_updated(units);
                    set_status.set(format!(
                        "Added. Your cart has {units} item{}.",
                        if units == 1 { "" } else { "s" }
                    ));
                }
                Err(detail) => set_status.set(detail),
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
    browser::spawn(async move {
        if let Ok(cart) = browser::send("GET", "/api/cart", None).await {
            set_units.set(cart.units);
        }
    });
    browser::on_cart_updated(move |n| set_units.set(n));
    view! {
        <a class="cart-link" href="/cart">
            "Cart"
            <span class="cart-count">{move || (units.get() > 0).then(|| format!(" ({})", units.get()))}</span>
        </a>
    }
}

/// On the order page while it waits for the payment: asks `GET /api/orders/{id}` every 2 s for
/// a minute and reloads the page once the order has moved on (the webhook landed). Without
/// JavaScript the page's `<noscript>` refresh does the same.
#[island]
pub fn PaymentWatch(order_id: String) -> impl IntoView {
    browser::watch_payment(order_id);
    view! {
        <p class="notice" role="status">"This page updates by itself once the payment is confirmed."</p>
    }
}

/// − and + around a cart line's quantity: each step updates the line and refreshes the page.
/// Without JavaScript, − and + are the update form's own submit buttons (`step=-1` / `step=1`
/// beside the quantity), and Update posts the typed quantity.
#[island]
pub fn QuantityStepper(sku: String, quantity: u32, label: String) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    let id = format!("qty-{sku}");
    let sku = StoredValue::new(sku);
    let step = move |delta: i64| {
        let now: i64 = input
            .get()
            .and_then(|i| i.value().trim().parse().ok())
            .unwrap_or(i64::from(quantity));
        let next = (now + delta).clamp(0, 99);
        let body = browser::json(&SetQuantity { quantity: next });
        let path = format!("/api/cart/items/{}", sku.get_value());
        browser::spawn(async move {
            if browser::send("PATCH", &path, Some(body)).await.is_ok() {
                browser::reload();
            }
        });
    };
    view! {
        <form class="inline stepper" method="post" action="/cart/update">
            <input type="hidden" name="sku" value=sku.get_value()/>
            // The form's default button (Enter in the field): posts the typed quantity, no step.
            <button type="submit" class="visually-hidden" tabindex="-1" aria-hidden="true">"Update"</button>
            <button type="submit" name="step" value="-1" class="step" aria-label=format!("One fewer {label}") on:click=move |ev: leptos::ev::MouseEvent| { ev.prevent_default(); step(-1) }>"−"</button>
            <label class="visually-hidden" for=id.clone()>{format!("Quantity of {label}")}</label>
            <input node_ref=input id=id type="number" name="quantity" value=quantity.to_string() min="0" max="99" required/>
            <button type="submit" name="step" value="1" class="step" aria-label=format!("One more {label}") on:click=move |ev: leptos::ev::MouseEvent| { ev.prevent_default(); step(1) }>"+"</button>
            <button type="submit">"Update"</button>
        </form>
    }
}

/// The body of `POST /api/cart/items`.
#[derive(Serialize)]
struct AddItem {
    sku: String,
    quantity: u32,
}

/// The body of `PATCH /api/cart/items/{sku}`.
#[derive(Serialize)]
struct SetQuantity {
    quantity: i64,
}

/// What the islands read of the shop's JSON answers: a cart's unit count, or an error's
/// sentence for the shopper. Typed, so that the browser bundle carries no `serde_json::Value`.
#[derive(Debug, Default, Deserialize)]
pub struct Answer {
    #[serde(default)]
    pub units: u64,
    #[serde(default)]
    pub detail: Option<String>,
    /// An order's status.
    #[serde(default)]
    pub status: Option<String>,
}

/// Browser-only effects; on the server these do nothing (islands render there too).
mod browser {
    use super::Answer;

    /// A request body as JSON (the types above cannot fail to serialize).
    pub fn json(body: &impl serde::Serialize) -> String {
        serde_json::to_string(body).unwrap_or_default()
    }

    #[cfg(feature = "hydrate")]
    pub use imp::*;

    #[cfg(not(feature = "hydrate"))]
    mod noop {
        pub fn spawn(_f: impl std::future::Future<Output = ()> + 'static) {}
        pub async fn send(
            _method: &str,
            _url: &str,
            _body: Option<String>,
        ) -> Result<super::Answer, String> {
            Err("not in a browser".into())
        }
        pub fn cart_updated(_units: u64) {}
        pub fn watch_payment(_order_id: String) {}
        pub fn on_cart_updated(_f: impl Fn(u64) + 'static) {}
        pub fn replace_url(_url: &str) {}
        pub fn reload() {}
    }
    #[cfg(not(feature = "hydrate"))]
    pub use noop::*;

    #[cfg(feature = "hydrate")]
    mod imp {
        use super::Answer;
        use wasm_bindgen::{JsCast, JsValue};
        use wasm_bindgen_futures::JsFuture;

        pub fn spawn(f: impl std::future::Future<Output = ()> + 'static) {
            leptos::task::spawn_local(f);
        }

        /// A same-origin JSON request; `Err` carries the shop's `detail` for the shopper.
        pub async fn send(method: &str, url: &str, body: Option<String>) -> Result<Answer, String> {
            let window = web_sys::window().ok_or("no window")?;
            let init = web_sys::RequestInit::new();
            init.set_method(method);
            init.set_credentials(web_sys::RequestCredentials::SameOrigin);
            let headers = web_sys::Headers::new().map_err(|_| "headers")?;
            let _ = headers.set("accept", "application/json");
            if let Some(b) = body {
                let _ = headers.set("content-type", "application/json");
                init.set_body(&JsValue::from_str(&b));
            }
            init.set_headers(&headers);
            let resp = JsFuture::from(window.fetch_with_str_and_init(url, &init))
                .await
                .map_err(|_| "The shop could not be reached; try again.".to_owned())?;
            let resp: web_sys::Response = resp.dyn_into().map_err(|_| "bad response")?;
            let text = JsFuture::from(resp.text().map_err(|_| "bad body")?)
                .await
                .map_err(|_| "bad body")?;
            let answer: Answer =
                serde_json::from_str(&text.as_string().unwrap_or_default()).unwrap_or_default();
            if resp.ok() {
                Ok(answer)
            } else {
                Err(answer
                    .detail
                    .unwrap_or_else(|| "That did not work; try again.".to_owned()))
            }
        }

        /// Polls the order every 2 s, at most 30 times, and reloads once it is no longer
        /// waiting for its payment.
        pub fn watch_payment(order_id: String) {
            poll_order(order_id, 0);
        }

        fn poll_order(order_id: String, attempt: u32) {
            if attempt >= 30 {
                return;
            }
            leptos::prelude::set_timeout(
                move || {
                    spawn(async move {
                        let path = format!("/api/orders/{order_id}");
                        match send("GET", &path, None).await {
                            Ok(Answer {
                                status: Some(s), ..
                            }) if s != "awaiting_payment" && s != "pending" => reload(),
                            _ => poll_order(order_id, attempt + 1),
                        }
                    });
                },
                std::time::Duration::from_secs(2),
            );
        }

        pub fn cart_updated(units: u64) {
            if let Some(w) = web_sys::window() {
                let init = web_sys::CustomEventInit::new();
                init.set_detail(&JsValue::from_f64(units as f64));
                if let Ok(ev) =
                    web_sys::CustomEvent::new_with_event_init_dict("cart:updated", &init)
                {
                    let _ = w.dispatch_event(&ev);
                }
            }
        }

        pub fn on_cart_updated(f: impl Fn(u64) + 'static) {
            let handle =
                leptos::prelude::window_event_listener_untyped("cart:updated", move |ev| {
                    if let Ok(ev) = ev.dyn_into::<web_sys::CustomEvent>() {
                        f(ev.detail().as_f64().unwrap_or(0.0) as u64);
                    }
                });
            // Lives as long as the page.
            std::mem::forget(handle);
        }

        pub fn replace_url(url: &str) {
            if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(url));
            }
        }

        pub fn reload() {
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(sku: &str, options: &[&str]) -> BuyVariant {
        BuyVariant {
            sku: sku.into(),
            options: options.iter().map(|s| (*s).to_owned()).collect(),
            price: String::new(),
            availability: String::new(),
            can_buy: true,
            max: 9,
        }
    }

    #[test]
    fn choosing_a_value_keeps_the_other_choices_when_it_can() {
        let vs = vec![
            v("S-W", &["S", "White"]),
            v("M-W", &["M", "White"]),
            v("M-B", &["M", "Blue"]),
        ];
        assert_eq!(
            variant_for(&vs, &vs[1], 1, "Blue").map(|v| v.sku.as_str()),
            Some("M-B")
        );
        assert_eq!(
            variant_for(&vs, &vs[2], 0, "S").map(|v| v.sku.as_str()),
            Some("S-W"),
            "no S/Blue: first S"
        );
        assert_eq!(variant_for(&vs, &vs[0], 0, "XL"), None);
    }
}
