//! The cart's discount code: plain forms (`POST /cart/discount` and `/cart/discount/remove`)
//! without JavaScript; with it, `POST` or `DELETE /api/cart/discount`, and the panel and the
//! totals update in place from the cart it answers.

use super::delivery::Sums;
use super::wire::{self, Json, Packed, Read};
use super::{browser, summary};
use domain::discount::Kind;
use domain::{Currency, Money};
use leptos::prelude::*;
use serde::Serialize;

/// The cart JSON's `discount` ([`domain::cart::QuoteDiscount`]): the code, what it takes off
/// (off the goods, or the shipping waived for free shipping), and the code's minimum when the
/// goods are below it. Every field may be missing, so that an order's `discount` (another
/// shape) reads too.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CartDiscount {
    pub code: String,
    pub kind: Option<Kind>,
    pub amount: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub below_minimum: Option<i64>,
}

impl CartDiscount {
    /// A quoted cart's code.
    pub fn of_quote(d: &domain::cart::QuoteDiscount) -> CartDiscount {
        CartDiscount {
            code: d.code.to_string(),
            kind: Some(d.kind),
            amount: d.amount,
            below_minimum: d.below_minimum,
        }
    }
}

impl Read for CartDiscount {
    fn read<J: Json>(j: &J) -> Self {
        CartDiscount {
            code: wire::text(j, "code"),
            kind: wire::text_opt(j, "kind").and_then(|k| Kind::from_name(&k)),
            amount: wire::int(j, "amount"),
            below_minimum: j.get("below_minimum").and_then(|v| v.int()),
        }
    }
}

/// The form that applies a code.
const APPLY_FORM: &str = concat!(
    "<form id=\"discount-apply\" method=\"post\" action=\"/cart/discount\">",
    "<label for=\"discount-code\">Code</label>",
    "<div class=\"discount-field\">",
    "<input id=\"discount-code\" type=\"text\" name=\"code\" autocomplete=\"off\" ",
    "autocapitalize=\"characters\" spellcheck=\"false\" maxlength=\"32\" required/>",
    "<button type=\"submit\">Apply</button>",
    "</div></form>"
);

/// What the discount panel shows, as markup (like the delivery rates: the server
/// renders it and the island redraws it, so both draw the same). Without a code, the form to
/// apply one; with one, what it does for the cart of totals `s` (or what the cart lacks for
/// it) and the form to remove it.
pub fn discount_html(d: Option<&CartDiscount>, s: &Sums, currency: Currency) -> String {
    let Some(d) = d else {
        return APPLY_FORM.to_owned();
    };
    let code = crate::seo::xml_escape(&d.code);
    let money = |amount: i64| Money::new(amount, currency).to_string();
    let status = match d.below_minimum {
        Some(minimum) => format!(
            "<p class=\"discount-status below\" data-code=\"{code}\">Add {} more to use <strong>{code}</strong> (orders from {}).</p>",
            money((minimum - s.subtotal).max(0)),
            money(minimum)
        ),
        None => {
            let free = d.kind == Some(Kind::FreeShipping);
            // A free-shipping code waives nothing when shipping is free anyway: still true.
            let does = if free && (d.amount > 0 || s.shipping == 0) {
                "Free shipping".to_owned()
            } else if !free && d.amount > 0 {
                format!("−{}", money(d.amount))
            } else {
                "Nothing in your cart qualifies".to_owned()
            };
            format!(
                "<p class=\"discount-status\" data-code=\"{code}\"><span><strong>{code}</strong> applied</span> <span class=\"discount-effect\">{does}</span></p>"
            )
        }
    };
    format!(
        "{status}<form id=\"discount-remove\" method=\"post\" action=\"/cart/discount/remove\"><button type=\"submit\" class=\"secondary\">Remove<span class=\"visually-hidden\"> {code}</span></button></form>"
    )
}

/// The cart's discount code panel ([`discount_html`]); `sums` are the cart's totals,
/// `currency` its ISO code.
///
/// The markup is static; with JavaScript, its forms go to `POST /api/cart/discount`
/// (`{"code": …}`) and `DELETE /api/cart/discount`, and the answer redraws the panel and the
/// totals in place (`summary::change`). A refused code's sentence shows in the panel, and
/// what the shopper typed stays.
#[island]
pub fn DiscountCode(
    currency: String,
    #[prop(into)] discount: Packed<Option<CartDiscount>>,
    #[prop(into)] sums: Packed<Sums>,
) -> impl IntoView {
    let (Packed(discount), Packed(sums)) = (discount, sums);
    let currency = Currency::parse(&currency).unwrap_or(Currency::EUR);
    let panel = discount_html(discount.as_ref(), &sums, currency);
    let shown = panel.clone();
    Effect::new(move || summary::panel_shown(shown.clone()));
    // One listener for both forms (submit events bubble), which the panel redraws.
    let submit = move |ev: leptos::ev::SubmitEvent| {
        let Some(action) = browser::submitted_action(&ev) else {
            return;
        };
        ev.prevent_default();
        // The body of `POST /api/cart/discount`.
        let body = (action == "/cart/discount").then(|| {
            let code = browser::field_value("#discount-code");
            format!("{{\"code\":{}}}", wire::string(&code))
        });
        let method = if body.is_some() { "POST" } else { "DELETE" };
        browser::spawn(async move {
            let url = "/api/cart/discount";
            summary::change(method, url, body, "#discount-error", currency).await;
        });
    };
    view! {
        <section class="discount panel" aria-labelledby="discount-heading" on:submit=submit>
            <h2 id="discount-heading">"Discount code"</h2>
            <div id="discount-state" aria-live="polite" inner_html=panel></div>
            <p id="discount-error" class="alert" role="alert" hidden></p>
        </section>
    }
}
