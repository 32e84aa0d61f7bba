//! The hosted payment page: HTML for `/pay/{id}`, with every piece of merchant or buyer text
//! escaped.

use crate::session::{Session, Status};

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
label{display:block;margin-top:1rem;font-weight:600}input{font-size:1rem;padding:.5rem;\
width:100%;box-sizing:border-box}button{margin-top:1.5rem;font-size:1rem;padding:.6rem 1.2rem}\
.error{color:#a00000;font-weight:600}.hint{font-size:.9rem;color:#444}";

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} – Sandbox checkout</title><style>{STYLE}</style></head>\
         <body><main>{body}</main></body></html>\n",
        title = escape(title),
    )
}

fn summary(session: &Session) -> String {
    let rows: String = session
        .new
        .line_items
        .iter()
        .map(|item| {
            format!(
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(&item.name),
                item.quantity,
                escape(&format_amount(
                    item.amount_total().unwrap_or(0),
                    &session.new.currency
                )),
            )
        })
        .collect();
    format!(
        "<table><caption>Order summary</caption><thead><tr><th scope=\"col\">Item</th>\
         <th scope=\"col\" class=\"n\">Quantity</th><th scope=\"col\" class=\"n\">Amount</th></tr>\
         </thead><tbody>{rows}</tbody><tfoot><tr><th scope=\"row\" colspan=\"2\">Total</th>\
         <td class=\"n\">{total}</td></tr></tfoot></table>",
        total = escape(&format_amount(
            session.new.amount_total,
            &session.new.currency
        )),
    )
}

/// The payment form for an open session, with `error` (from a failed attempt) announced.
pub fn checkout(session: &Session, error: Option<&str>) -> String {
    let total = escape(&format_amount(
        session.new.amount_total,
        &session.new.currency,
    ));
    let (alert, invalid) = match error {
        Some(message) => (
            format!(
                "<p id=\"card-error\" class=\"error\" role=\"alert\">{}</p>",
                escape(message)
            ),
            " aria-invalid=\"true\" aria-describedby=\"card-error card-hint\"",
        ),
        None => (String::new(), " aria-describedby=\"card-hint\""),
    };
    let body = format!(
        "<h1>Pay {total}</h1>\
         <p class=\"hint\">Sandbox: no real payment is taken.</p>\
         {summary}\
         <h2>Card details</h2>{alert}\
         <form method=\"post\" action=\"/pay/{id}\">\
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
    use crate::session::tests::sample;

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
        let html = checkout(&s, None);
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

        let declined = checkout(&s, Some("Your card was declined."));
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
}
