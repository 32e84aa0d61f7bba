//! The cart's delivery choice and totals: a plain form (`POST /cart/shipping`) without
//! JavaScript; with it, each change goes to `POST /api/cart/shipping` and the rates and totals
//! update in place from the cart it answers.

use super::wire::{self, Json, Packed, Read};
use super::{browser, summary};
use domain::{Currency, Money};
use leptos::prelude::*;
use serde::Serialize;

/// What a cart or order costs, in minor units:
/// `total = subtotal − discount + shipping + (tax unless tax_included)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Sums {
    pub subtotal: i64,
    pub discount: i64,
    pub shipping: i64,
    pub tax: i64,
    pub total: i64,
    pub tax_included: bool,
}

impl Sums {
    /// A cart's quoted totals.
    pub fn of_totals(t: &domain::totals::Totals) -> Sums {
        Sums {
            subtotal: t.subtotal,
            discount: t.discount,
            shipping: t.shipping,
            tax: t.tax,
            total: t.total,
            tax_included: t.tax_included,
        }
    }

    /// An order's breakdown and the total it was charged at.
    pub fn of_charges(c: &domain::order::Charges, total: i64) -> Sums {
        Sums {
            subtotal: c.subtotal,
            discount: c.discount,
            shipping: c.shipping,
            tax: c.tax,
            total,
            tax_included: c.tax_included,
        }
    }
}

impl Read for Sums {
    fn read<J: Json>(j: &J) -> Self {
        Sums {
            subtotal: wire::int(j, "subtotal"),
            discount: wire::int(j, "discount"),
            shipping: wire::int(j, "shipping"),
            tax: wire::int(j, "tax"),
            total: wire::int(j, "total"),
            tax_included: wire::flag(j, "tax_included"),
        }
    }
}

/// One rate on offer, as the cart JSON has it (`domain::cart::RateOption`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShipOption {
    pub id: String,
    pub name: String,
    pub amount: i64,
    pub delivery: Option<String>,
}

impl Read for ShipOption {
    fn read<J: Json>(j: &J) -> Self {
        ShipOption {
            id: wire::text(j, "id"),
            name: wire::text(j, "name"),
            amount: wire::int(j, "amount"),
            delivery: wire::text_opt(j, "delivery"),
        }
    }
}

/// The cart JSON's `shipping`: destination, chosen rate, rates on offer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shipping {
    pub country: String,
    pub rate: String,
    pub options: Vec<ShipOption>,
}

impl Read for Shipping {
    fn read<J: Json>(j: &J) -> Self {
        Shipping {
            country: wire::text(j, "country"),
            rate: wire::text(j, "rate"),
            options: wire::field(j, "options").unwrap_or_default(),
        }
    }
}

/// `€4.95`, or `Free` for nothing.
fn amount_or_free(amount: i64, currency: Currency) -> String {
    if amount == 0 {
        "Free".to_owned()
    } else {
        Money::new(amount, currency).to_string()
    }
}

/// The rows of a totals list (`<dl class="totals">`); each value has `data-total="…"`. When
/// prices include tax, the tax shows under the total as what it includes, else above it as an
/// amount added. `rate_name` names the shipping rate beside "Shipping", `code` the discount code
/// beside "Discount" (its `data-discount-code`). The discount row is always there, `hidden`
/// without a discount, so that an island can show it.
pub fn sums_rows(
    s: Sums,
    currency: Currency,
    rate_name: Option<String>,
    code: Option<String>,
) -> impl IntoView {
    let money = move |amount: i64| Money::new(amount, currency).to_string();
    let tax_row = move |label: &'static str, class: &'static str| {
        view! { <div class=class><dt>{label}</dt><dd class="num" data-total="tax">{money(s.tax)}</dd></div> }
    };
    view! {
        <div><dt>"Subtotal"</dt><dd class="num subtotal" data-total="subtotal">{money(s.subtotal)}</dd></div>
        <div hidden=s.discount <= 0>
            <dt>"Discount"<span data-discount-code="">{code_label(code.as_deref())}</span></dt>
            <dd class="num" data-total="discount">{discount_text(s.discount, currency)}</dd>
        </div>
        <div>
            <dt>"Shipping"{rate_name.map(|n| view! { <small>{format!(" · {n}")}</small> })}</dt>
            <dd class="num" data-total="shipping">{amount_or_free(s.shipping, currency)}</dd>
        </div>
        {(!s.tax_included).then(|| tax_row("Tax", "tax"))}
        <div class="grand"><dt>"Total"</dt><dd class="num" data-total="total">{money(s.total)}</dd></div>
        {s.tax_included.then(|| tax_row("Including VAT", "tax included"))}
    }
}

/// ` (WELCOME10)` after "Discount", or nothing without a code.
pub fn code_label(code: Option<&str>) -> String {
    code.map(|c| format!(" ({c})")).unwrap_or_default()
}

/// `−€4.90`, or nothing (the row hides) without a discount.
fn discount_text(discount: i64, currency: Currency) -> String {
    if discount > 0 {
        format!("−{}", Money::new(discount, currency))
    } else {
        String::new()
    }
}

/// The text of each `data-total` value of [`sums_rows`], to update them in place; an empty one
/// hides its row.
pub fn sums_texts(s: &Sums, currency: Currency) -> [(&'static str, String); 5] {
    let money = |amount: i64| Money::new(amount, currency).to_string();
    [
        ("subtotal", money(s.subtotal)),
        ("discount", discount_text(s.discount, currency)),
        ("shipping", amount_or_free(s.shipping, currency)),
        ("tax", money(s.tax)),
        ("total", money(s.total)),
    ]
}

/// The rate choices of `shipping` (radio buttons `name="rate"`, the chosen one checked), as
/// markup: the server renders it and the island replaces it when the country changes, so both
/// draw the same thing.
pub fn rates_html(shipping: &Shipping, currency: Currency) -> String {
    shipping
        .options
        .iter()
        .map(|o| {
            let checked = if o.id == shipping.rate { " checked" } else { "" };
            let delivery = o
                .delivery
                .as_deref()
                .map(|d| format!("<small>{}</small>", crate::seo::xml_escape(d)))
                .unwrap_or_default();
            format!(
                "<label class=\"rate\"><input type=\"radio\" name=\"rate\" value=\"{}\"{checked}/><span>{} — {}</span>{delivery}</label>",
                crate::seo::xml_escape(&o.id),
                crate::seo::xml_escape(&o.name),
                amount_or_free(o.amount, currency)
            )
        })
        .collect()
}

/// The cart's destination (`Ship to`) and its rate. `countries` are the select's
/// `(code, name)` choices; `currency` the cart's ISO code.
///
/// The markup is static (the server's work stays small); with JavaScript, a change of country
/// or rate goes to `POST /api/cart/shipping` and the answer redraws the rate choices and the
/// totals in place (`summary::change`). A refused change puts the form back to what the cart
/// still holds.
#[island]
pub fn DeliveryChoice(
    currency: String,
    #[prop(into)] countries: Packed<Vec<(String, String)>>,
    country: String,
    rate: String,
    #[prop(into)] options: Packed<Vec<ShipOption>>,
) -> impl IntoView {
    let (Packed(countries), Packed(options)) = (countries, options);
    let currency = Currency::parse(&currency).unwrap_or(Currency::EUR);
    let shown = Shipping {
        country: country.clone(),
        rate,
        options,
    };
    let rates = rates_html(&shown, currency);
    // What the page came with: what the cart holds until a change is answered.
    let shown = StoredValue::new(shown);
    let post = move |country: String, rate: Option<String>| {
        // The body of `POST /api/cart/shipping`: no rate when the country changed (the
        // cheapest).
        let rate = rate.map(|r| format!(",\"rate\":{}", wire::string(&r)));
        let body = format!(
            "{{\"country\":{}{}}}",
            wire::string(&country),
            rate.unwrap_or_default()
        );
        browser::spawn(async move {
            let url = "/api/cart/shipping";
            if summary::change("POST", url, Some(body), "#delivery-error", currency).await {
                let s = shown.get_value();
                browser::show_delivery(&s.country, &rates_html(&s, currency), &[]);
            }
        });
    };
    // One listener for the select and every radio (change events bubble to the form).
    let change = move |ev: leptos::ev::Event| match browser::changed_field(&ev) {
        Some((name, value)) if name == "country" => post(value, None),
        Some((name, value)) if name == "rate" => {
            let country = summary::held_country();
            post(
                country.unwrap_or_else(|| shown.with_value(|s| s.country.clone())),
                Some(value),
            )
        }
        _ => {}
    };
    // Each change applies at once: the button is for shoppers without JavaScript.
    Effect::new(|| browser::hide("#delivery-update"));

    let choices = countries
        .into_iter()
        .map(|(code, name)| {
            let selected = code == country;
            view! { <option value=code selected=selected>{name}</option> }
        })
        .collect_view();
    view! {
        <section class="delivery panel" aria-labelledby="delivery-heading">
            <h2 id="delivery-heading">"Delivery"</h2>
            <form method="post" action="/cart/shipping" on:change=change>
                <label for="ship-country">"Ship to"</label>
                <select id="ship-country" name="country">{choices}</select>
                <fieldset class="rates">
                    <legend>"Delivery method"</legend>
                    <div id="ship-rates" inner_html=rates></div>
                </fieldset>
                <button type="submit" id="delivery-update">"Update delivery"</button>
            </form>
            <p id="delivery-error" class="alert" role="alert" hidden></p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_escaped_and_the_chosen_one_is_checked() {
        let s = Shipping {
            country: "FR".into(),
            rate: "express".into(),
            options: vec![
                ShipOption {
                    id: "standard".into(),
                    name: "Post & <Co>".into(),
                    amount: 0,
                    delivery: Some("3–5 \"days\"".into()),
                },
                ShipOption {
                    id: "express".into(),
                    name: "Express".into(),
                    amount: 2490,
                    delivery: None,
                },
            ],
        };
        let html = rates_html(&s, Currency::EUR);
        assert!(
            html.contains(
                "<span>Post &amp; &lt;Co&gt; — Free</span><small>3–5 &quot;days&quot;</small>"
            ),
            "{html}"
        );
        assert!(
            html.contains("value=\"express\" checked/><span>Express — €24.90</span>"),
            "{html}"
        );
        assert!(!html.contains("value=\"standard\" checked"), "{html}");
    }

    #[test]
    fn the_texts_to_update_are_the_ones_rendered() {
        let plain = Sums {
            subtotal: 4900,
            discount: 0,
            shipping: 0,
            tax: 782,
            total: 4900,
            tax_included: true,
        };
        let discounted = Sums {
            discount: 490,
            total: 4410,
            ..plain
        };
        for s in [plain, discounted] {
            let html =
                view! { <dl>{sums_rows(s, Currency::EUR, None, Some("WELCOME10".into()))}</dl> }
                    .to_html();
            for (key, text) in sums_texts(&s, Currency::EUR) {
                let at = html
                    .find(&format!("data-total=\"{key}\""))
                    .unwrap_or_else(|| panic!("{key}: {html}"));
                let rest = &html[at..];
                let shown = rest.find('>').and_then(|start| {
                    Some(&rest[start + 1..start + 1 + rest[start + 1..].find('<')?])
                });
                assert_eq!(shown.map(str::trim), Some(text.as_str()), "{key}: {html}");
            }
            // The discount row hides without a discount; an empty text hides it in the browser.
            let row = &html[..html.find("data-total=\"discount\"").expect("row")];
            let row = &row[row.rfind("<div").expect("div")..];
            assert_eq!(row.contains("hidden"), s.discount == 0, "{row}");
            assert!(
                row.contains("Discount<span data-discount-code=\"\"> (WELCOME10)</span>"),
                "{row}"
            );
        }
    }
}
