//! What the cart page's islands share in the browser: the changes they send to the cart, and
//! the cart as last answered, which both draw (rates, totals, discount row and panel).
//!
//! Each change gets a number. An answer is drawn only if no change went out after it, from
//! either island: the newer answer draws the whole summary anyway, since every cart answer
//! carries the destination, the totals and the discount. A refusal shows its sentence and
//! draws the cart as last answered, so the page never shows a choice the cart does not hold.

use super::delivery::{code_label, rates_html, sums_texts, Shipping, Sums};
use super::discount::{discount_html, CartDiscount};
use super::{browser, Answer};
use domain::Currency;
use std::cell::RefCell;

/// A cart as an answer has it: what the delivery form, the totals and the discount panel show.
#[derive(Debug, Clone)]
struct Quoted {
    shipping: Shipping,
    totals: Sums,
    discount: Option<CartDiscount>,
}

#[derive(Debug, Default)]
struct Shared {
    /// Changes sent so far: the number of the latest.
    sent: u32,
    /// The newest cart answered, with its change's number.
    held: Option<(u32, Quoted)>,
    /// The discount panel's markup as drawn: redrawn only when it changes, so that a code being
    /// typed stays.
    panel: String,
}

thread_local! {
    static SHARED: RefCell<Shared> = RefCell::default();
}

/// Sends a change of the cart and draws the answer, unless a newer change went out meanwhile.
/// A refusal's sentence shows in `alert` (a selector) and the page goes back to the cart as
/// last answered. `true` when refused with no cart answered yet to go back to: the island then
/// puts its own form back.
pub(super) async fn change(
    method: &str,
    url: &str,
    body: Option<String>,
    alert: &str,
    currency: Currency,
) -> bool {
    let mine = SHARED.with(|s| {
        let mut s = s.borrow_mut();
        s.sent = s.sent.wrapping_add(1);
        s.sent
    });
    browser::show_error(alert, "");
    let answer = browser::send(method, url, body).await;
    let latest = SHARED.with(|s| s.borrow().sent == mine);
    match answer {
        Ok(Answer {
            shipping: Some(shipping),
            totals: Some(totals),
            discount,
            ..
        }) => {
            let quoted = Quoted {
                shipping,
                totals,
                discount,
            };
            SHARED.with(|s| {
                let mut s = s.borrow_mut();
                if s.held.as_ref().is_none_or(|(n, _)| *n < mine) {
                    s.held = Some((mine, quoted));
                }
            });
            if latest {
                draw(currency);
            }
            false
        }
        // A cart without a quote: the page knows better.
        Ok(_) => {
            browser::reload();
            false
        }
        Err(detail) if latest => {
            browser::show_error(alert, &detail);
            !draw(currency)
        }
        Err(_) => false,
    }
}

/// The country of the cart as last answered.
pub(super) fn held_country() -> Option<String> {
    SHARED.with(|s| {
        s.borrow()
            .held
            .as_ref()
            .map(|(_, q)| q.shipping.country.clone())
    })
}

/// The discount panel's markup as the server rendered it.
pub(super) fn panel_shown(html: String) {
    SHARED.with(|s| s.borrow_mut().panel = html);
}

/// Draws the cart as last answered; `false` when none was.
fn draw(currency: Currency) -> bool {
    let Some(q) = SHARED.with(|s| s.borrow().held.as_ref().map(|(_, q)| q.clone())) else {
        return false;
    };
    let s = &q.shipping;
    let totals = sums_texts(&q.totals, currency);
    browser::show_delivery(&s.country, &rates_html(s, currency), &totals);
    let code = q.discount.as_ref().map(|d| crate::seo::xml_escape(&d.code));
    browser::set_html("[data-discount-code]", &code_label(code.as_deref()));
    let panel = discount_html(q.discount.as_ref(), &q.totals, currency);
    let changed = SHARED.with(|s| {
        let mut s = s.borrow_mut();
        let changed = s.panel != panel;
        s.panel.clone_from(&panel);
        changed
    });
    if changed {
        browser::set_html("#discount-state", &panel);
    }
    true
}
