//! The hosted payment page: HTML for `/pay/{id}`, with every piece of merchant or buyer text
//! escaped. The order summary breaks the total down (goods, shipping, tax) when the session has
//! shipping or tax; a session that collects an address asks for it ([`crate::address_form`]).

use crate::address_form::{self, Attempt, Problem};
use crate::session::{Session, Status};
use crate::totals::Tax;

/// Escapes text for HTML content and double- or single-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `1234, "eur"` → `12.34 EUR`.
pub fn format_amount(minor: u64, currency: &str) -> String {
    format!(
        "{}.{:02} {}",
        minor / 100,
        minor % 100,
        currency.to_ascii_uppercase()
    )
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;\
padding:0 1rem;line-height:1.5;color:#1a1a1a}table{width:100%;border-collapse:collapse}\
th,td{padding:.4rem;border-bottom:1px solid #ccc;text-align:left}td.n,th.n{text-align:right}\
label{display:block;margin-top:1rem;font-weight:600}input,select{font-size:1rem;padding:.5rem;\
width:100%;box-sizing:border-box;color:inherit;background:#fff;border:1px solid #767676}\
fieldset{border:1px solid #ccc;margin:1.5rem 0;padding:0 1rem 1rem;min-width:0}\
legend{font-size:1.25rem;font-weight:700;padding:0 .25rem}button{margin-top:1.5rem;font-size:1rem;padding:.6rem 1.2rem}\
.error{color:#a00000;font-weight:600}.hint{font-size:.9rem;color:#444}\
dt{font-weight:600}dd{margin:0 0 .5rem}dd ul{margin:0;padding-left:1.2rem}\
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f5f5f5;border:1px solid #ccc;\
padding:.75rem}iframe{width:100%;min-height:24rem;border:1px solid #ccc;background:#fff}\
table.outbox td{overflow-wrap:anywhere}";

fn layout(title: &str, body: &str) -> String {
    document(title, "Sandbox checkout", body)
}

/// A whole page in the sandbox's look, titled `title – site` (both escaped here), with `body`
/// (HTML, escaped by the caller) as its main content. The outbox pages use it too.
pub fn document(title: &str, site: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} – {site}</title><style>{STYLE}</style></head>\
         <body><main>{body}</main></body></html>\n",
        title = escape(title),
        site = escape(site),
    )
}

fn summary(session: &Session) -> String {
    let currency = &session.new.currency;
    let money = |minor: u64| escape(&format_amount(minor, currency));
    let breakdown = session.new.breakdown();
    let rows: String = breakdown
        .items
        .iter()
        .map(|item| {
            format!(
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(&item.name),
                item.quantity,
                money(item.amount_total().unwrap_or(0)),
            )
        })
        .collect();
    let row = |label: &str, minor: u64| {
        format!(
            "<tr><th scope=\"row\" colspan=\"2\">{}</th><td class=\"n\">{}</td></tr>",
            escape(label),
            money(minor)
        )
    };
    let mut foot = String::new();
    if breakdown.shipping.is_some() || breakdown.tax.is_some() {
        foot.push_str(&row("Subtotal", breakdown.goods));
    }
    if let Some(rate) = breakdown.shipping {
        foot.push_str(&row(
            &format!("Shipping ({})", rate.display_name),
            rate.amount,
        ));
    }
    if let Some(Tax::Added(tax)) = breakdown.tax {
        foot.push_str(&row("Tax", tax));
    }
    foot.push_str(&row("Total", breakdown.total));
    if let Some(Tax::Included(tax)) = breakdown.tax {
        foot.push_str(&row("Including tax", tax));
    }
    format!(
        "<table><caption>Order summary</caption><thead><tr><th scope=\"col\">Item</th>\
         <th scope=\"col\" class=\"n\">Quantity</th><th scope=\"col\" class=\"n\">Amount</th></tr>\
         </thead><tbody>{rows}</tbody><tfoot>{foot}</tfoot></table>"
    )
}

/// The payment form for an open session, showing `attempt` (a failed one: what was typed, and
/// its problem announced).
pub fn checkout(session: &Session, attempt: &Attempt) -> String {
    let total = escape(&format_amount(
        session.new.amount_total,
        &session.new.currency,
    ));
    let address = session
        .new
        .shipping_address_collection
        .as_ref()
        .map_or_else(String::new, |c| address_form::fieldset(c, attempt));
    let (alert, invalid) = match &attempt.problem {
        Some(Problem::Card(message)) => (
            format!(
                "<p id=\"card-error\" class=\"error\" role=\"alert\">{}</p>",
                escape(message)
            ),
            " aria-invalid=\"true\" aria-describedby=\"card-error card-hint\"",
        ),
        _ => (String::new(), " aria-describedby=\"card-hint\""),
    };
    let body = format!(
        "<h1>Pay {total}</h1>\
         <p class=\"hint\">Sandbox: no real payment is taken.</p>\
         {summary}\
         <form method=\"post\" action=\"/pay/{id}\">{address}\
         <h2>Card details</h2>{alert}\
         <label for=\"card_number\">Card number</label>\
         <input id=\"card_number\" name=\"card_number\" inputmode=\"numeric\" \
         autocomplete=\"cc-number\" required{invalid}>\
         <p id=\"card-hint\" class=\"hint\">Test cards: 4242 4242 4242 4242 succeeds, \
         4000 0000 0000 0002 is declined.</p>\
         <label for=\"expiry\">Expiry date (MM/YY)</label>\
         <input id=\"expiry\" name=\"expiry\" placeholder=\"MM/YY\" autocomplete=\"cc-exp\" required>\
         <label for=\"cvc\">Security code (CVC)</label>\
         <input id=\"cvc\" name=\"cvc\" inputmode=\"numeric\" autocomplete=\"cc-csc\" required>\
         <button type=\"submit\">Pay {total}</button></form>\
         <p><a href=\"{cancel}\">Cancel and return to the shop</a></p>",
        summary = summary(session),
        id = escape(&session.id),
        cancel = escape(&session.new.cancel_url),
    );
    layout(
        &format!(
            "Pay {}",
            format_amount(session.new.amount_total, &session.new.currency)
        ),
        &body,
    )
}

/// The page for a session that can no longer be paid.
pub fn closed(session: &Session) -> String {
    let (title, message, href, link) = match session.status {
        Status::Complete => (
            "Payment complete",
            "This checkout session has already been paid.",
            session.success_redirect(),
            "Return to the shop",
        ),
        Status::Expired | Status::Open => (
            "Checkout expired",
            "This checkout session has expired. Return to the shop to start again.",
            session.new.cancel_url.clone(),
            "Return to the shop",
        ),
    };
    let body = format!(
        "<h1>{title}</h1><p role=\"status\">{message}</p>{summary}<p><a href=\"{href}\">{link}</a></p>",
        summary = summary(session),
        href = escape(&href),
    );
    layout(title, &body)
}

/// The page for an unknown session.
pub fn not_found() -> String {
    layout(
        "Checkout not found",
        "<h1>Checkout not found</h1><p>There is no checkout session at this address.</p>",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::tests::{sample, shipped};

    #[test]
    fn formats_minor_units() {
        assert_eq!(format_amount(2999, "eur"), "29.99 EUR");
        assert_eq!(format_amount(5, "usd"), "0.05 USD");
        assert_eq!(format_amount(100_000, "gbp"), "1000.00 GBP");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn checkout_page_has_labelled_fields_totals_and_escaped_content() {
        let mut s = sample("cs_test_1");
        s.new.line_items[0].name = "<script>alert(1)</script>".into();
        s.new.cancel_url = "https://shop.test/cart?a=1&b=\"2\"".into();
        let html = checkout(&s, &Attempt::default());
        for field in ["card_number", "expiry", "cvc"] {
            assert!(
                html.contains(&format!("<label for=\"{field}\">")),
                "{field}"
            );
            assert!(
                html.contains(&format!("id=\"{field}\" name=\"{field}\"")),
                "{field}"
            );
        }
        assert!(html.contains("action=\"/pay/cs_test_1\""));
        assert!(html.contains("25.00 EUR") && html.contains("29.99 EUR"));
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
        assert!(html.contains("href=\"https://shop.test/cart?a=1&amp;b=&quot;2&quot;\">Cancel and return to the shop</a>"));
        assert!(!html.contains("role=\"alert\""));

        let declined = checkout(
            &s,
            &Attempt {
                problem: Some(Problem::Card("Your card was declined.")),
                ..Attempt::default()
            },
        );
        assert!(declined.contains("role=\"alert\">Your card was declined.</p>"));
        assert!(declined.contains("aria-invalid=\"true\""));
    }

    #[test]
    fn closed_sessions_explain_instead_of_asking_for_a_card() {
        let mut s = sample("cs_test_1");
        s.status = Status::Expired;
        let html = closed(&s);
        assert!(html.contains("expired") && !html.contains("<form"));
        s.status = Status::Complete;
        let html = closed(&s);
        assert!(html.contains("already been paid") && html.contains("ok?session=cs_test_1"));
    }

    /// The text of the summary's footer row labelled `label`, if any.
    fn foot_row(html: &str, label: &str) -> Option<String> {
        let start = html.find(&format!("colspan=\"2\">{label}</th>"))?;
        let rest = &html[start..];
        let cell = rest.find("<td class=\"n\">")? + "<td class=\"n\">".len();
        let end = rest.find("</td>")?;
        Some(rest[cell..end].to_owned())
    }

    #[test]
    fn prices_excluding_tax_list_subtotal_shipping_tax_and_total_in_order() {
        let html = checkout(&shipped("cs_test_x", false), &Attempt::default());
        let rows = [
            ("Subtotal", "20.00 EUR"),
            ("Shipping (Express)", "5.00 EUR"),
            ("Tax", "3.00 EUR"),
            ("Total", "28.00 EUR"),
        ];
        let mut at = 0;
        for (label, amount) in rows {
            assert_eq!(foot_row(&html, label).as_deref(), Some(amount), "{label}");
            let here = html.find(&format!(">{label}</th>")).unwrap();
            assert!(here > at, "{label} out of order");
            at = here;
        }
        assert!(
            html.find("<button type=\"submit\">Pay 28.00 EUR</button>")
                .unwrap()
                > at
        );
        assert!(html.contains("<h1>Pay 28.00 EUR</h1>"));
        assert_eq!(foot_row(&html, "Including tax"), None);
        // The tax line is the Tax row, not an item.
        assert!(!html.contains("<td>Tax</td>"));
        assert!(html.contains("<legend>Shipping address</legend>"));
        assert!(html.contains("<label for=\"name\">Full name</label>"));
        assert!(html.find("<legend>").unwrap() < html.find("<h2>Card details</h2>").unwrap());
    }

    #[test]
    fn prices_including_tax_show_the_tax_without_adding_it() {
        let html = checkout(&shipped("cs_test_i", true), &Attempt::default());
        assert_eq!(foot_row(&html, "Subtotal").as_deref(), Some("22.00 EUR"));
        assert_eq!(
            foot_row(&html, "Shipping (Express)").as_deref(),
            Some("6.00 EUR")
        );
        assert_eq!(foot_row(&html, "Total").as_deref(), Some("28.00 EUR"));
        assert_eq!(
            foot_row(&html, "Including tax").as_deref(),
            Some("3.00 EUR")
        );
        assert_eq!(foot_row(&html, "Tax"), None);
        assert!(html.contains("Pay 28.00 EUR</button>"));
    }

    #[test]
    fn sessions_without_shipping_ask_for_no_address_and_show_only_the_total() {
        let html = checkout(&sample("cs_test_1"), &Attempt::default());
        assert!(!html.contains("<fieldset") && !html.contains("Full name"));
        assert_eq!(foot_row(&html, "Subtotal"), None);
        assert_eq!(foot_row(&html, "Total").as_deref(), Some("29.99 EUR"));
        assert!(html.contains("<td>Tea</td>"));
    }
}
