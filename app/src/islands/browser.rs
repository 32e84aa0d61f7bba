//! Browser-only effects; on the server these do nothing (islands render there too).

#[cfg(feature = "hydrate")]
pub use imp::*;

#[cfg(not(feature = "hydrate"))]
mod noop {
    pub fn spawn(_f: impl std::future::Future<Output = ()> + 'static) {}
    pub async fn send(
        _method: &str,
        _url: &str,
        _body: Option<String>,
    ) -> Result<super::super::Answer, String> {
        Err("not in a browser".into())
    }
    pub fn cart_updated(_units: u64) {}
    pub fn watch_payment(_order_id: String) {}
    pub fn on_cart_updated(_f: impl Fn(u64) + 'static) {}
    pub fn replace_url(_url: &str) {}
    pub fn show_image(_src: &str, _alt: &str) {}
    pub fn reload() {}
    pub fn changed_field(_ev: &leptos::ev::Event) -> Option<(String, String)> {
        None
    }
    pub fn submitted_action(_ev: &leptos::ev::SubmitEvent) -> Option<String> {
        None
    }
    pub fn field_value(_selector: &str) -> String {
        String::new()
    }
    pub fn show_error(_alert: &str, _message: &str) {}
    pub fn show_delivery(_country: &str, _rates: &str, _totals: &[(&str, String)]) {}
    pub fn set_html(_selector: &str, _html: &str) {}
    pub fn hide(_selector: &str) {}
}
#[cfg(not(feature = "hydrate"))]
pub use noop::*;

#[cfg(feature = "hydrate")]
mod imp {
    use super::super::wire::{self, Read};
    use super::super::Answer;
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
        let answer = wire::parse(&text.as_string().unwrap_or_default())
            .map(|j| Answer::read(&j))
            .unwrap_or_default();
        if resp.ok() {
            Ok(answer)
        } else {
            Err(answer.detail.or(answer.message).map_or_else(
                || "That did not work; try again.".to_owned(),
                |d| super::super::sentence(&d),
            ))
        }
    }

    /// Polls the order on [`payment_poll_delay`]'s schedule and reloads once it is no longer
    /// waiting for its payment; says so when it stops asking.
    pub fn watch_payment(order_id: String) {
        poll_order(order_id, 0);
    }

    fn poll_order(order_id: String, attempt: u32) {
        let Some(seconds) = super::super::payment_poll_delay(attempt) else {
            if let Some(notice) = element("#payment-watch") {
                notice.set_text_content(Some(super::super::PAYMENT_WATCH_GAVE_UP));
            }
            return;
        };
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
            std::time::Duration::from_secs(u64::from(seconds)),
        );
    }

    pub fn cart_updated(units: u64) {
        if let Some(w) = web_sys::window() {
            let init = web_sys::CustomEventInit::new();
            init.set_detail(&JsValue::from_f64(units as f64));
            if let Ok(ev) = web_sys::CustomEvent::new_with_event_init_dict("cart:updated", &init) {
                let _ = w.dispatch_event(&ev);
            }
        }
    }

    pub fn on_cart_updated(f: impl Fn(u64) + 'static) {
        let handle = leptos::prelude::window_event_listener_untyped("cart:updated", move |ev| {
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

    /// Shows a variant's picture in the product page's gallery (outside the island).
    pub fn show_image(src: &str, alt: &str) {
        if src.is_empty() {
            return;
        }
        let img = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(".gallery img").ok().flatten());
        if let Some(img) = img {
            let _ = img.set_attribute("src", src);
            let _ = img.set_attribute("alt", alt);
        }
    }

    pub fn reload() {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    }

    fn element(selector: &str) -> Option<web_sys::Element> {
        web_sys::window()?
            .document()?
            .query_selector(selector)
            .ok()
            .flatten()
    }

    /// The name and value of the form field an event comes from.
    pub fn changed_field(ev: &leptos::ev::Event) -> Option<(String, String)> {
        let target = ev.target()?;
        if let Some(input) = target.dyn_ref::<web_sys::HtmlInputElement>() {
            return Some((input.name(), input.value()));
        }
        let select = target.dyn_ref::<web_sys::HtmlSelectElement>()?;
        Some((select.name(), select.value()))
    }

    /// The `action` of the form a submit event comes from.
    pub fn submitted_action(ev: &leptos::ev::SubmitEvent) -> Option<String> {
        ev.target()?
            .dyn_ref::<web_sys::Element>()?
            .get_attribute("action")
    }

    /// The value of the input at `selector` (empty if there is none).
    pub fn field_value(selector: &str) -> String {
        element(selector)
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
            .map(|i| i.value())
            .unwrap_or_default()
    }

    /// Shows `message` in the alert at `alert` (hidden when empty).
    pub fn show_error(alert: &str, message: &str) {
        if let Some(p) = element(alert) {
            p.set_text_content(Some(message));
            let _ = p.toggle_attribute_with_force("hidden", message.is_empty());
        }
    }

    /// Redraws the delivery form for `country` with the `rates` markup, and the totals'
    /// `data-total` values; a row whose value is empty hides.
    pub fn show_delivery(country: &str, rates: &str, totals: &[(&str, String)]) {
        if let Some(select) =
            element("#ship-country").and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok())
        {
            select.set_value(country);
        }
        set_html("#ship-rates", rates);
        for (key, text) in totals {
            if let Some(value) = element(&format!("[data-total=\"{key}\"]")) {
                value.set_text_content(Some(text));
                if let Some(row) = value.parent_element() {
                    let _ = row.toggle_attribute_with_force("hidden", text.is_empty());
                }
            }
        }
    }

    /// Replaces the content of the element at `selector` with `html`.
    pub fn set_html(selector: &str, html: &str) {
        if let Some(e) = element(selector) {
            e.set_inner_html(html);
        }
    }

    pub fn hide(selector: &str) {
        if let Some(e) = element(selector) {
            let _ = e.set_attribute("hidden", "");
        }
    }
}
