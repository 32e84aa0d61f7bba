//! What an order's e-mails say: a subject, a plain-text body and an HTML body with the items,
//! the totals, the address and a link to the order page. Pure text: the worker hands it to the
//! e-mail provider.

use super::{NoticeKind, Order};
use crate::money::Money;
use std::fmt::Write;

/// One e-mail, ready for a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The e-mail `kind` of `order`, from `shop` (its name).
pub fn email(order: &Order, kind: NoticeKind, shop: &str) -> Email {
    let short = order.id.strip_prefix("ord_").unwrap_or(&order.id);
    let short = &short[..short.len().min(8)];
    let (subject, lead) = match kind {
        NoticeKind::Receipt => (
            format!("Your {shop} order {short}: receipt"),
            "Thank you for your order. Your payment went through, and this is your receipt."
                .to_owned(),
        ),
        NoticeKind::Shipped => (
            format!("Your {shop} order {short} is on its way"),
            "Good news: your order has left us and is on its way to you.".to_owned(),
        ),
    };
    let link = format!("{}/orders/{}", order.origin.trim_end_matches('/'), order.id);
    let rows = rows(order);
    let address: Vec<String> = order
        .delivery
        .as_ref()
        .and_then(|d| d.address.as_ref())
        .map(|a| a.lines())
        .unwrap_or_default();

    let mut text = format!("{lead}\n\nOrder {}\n\n", order.id);
    for l in &order.lines {
        let _ = writeln!(
            text,
            "{} × {}  {}",
            l.quantity,
            l.title,
            money(order, l.line_total)
        );
    }
    text.push('\n');
    for (label, amount) in &rows {
        let _ = writeln!(text, "{label}: {amount}");
    }
    if !address.is_empty() {
        let _ = write!(text, "\nShipping to:\n{}\n", address.join("\n"));
    }
    let _ = write!(text, "\nYour order: {link}\n\n{shop}\n");

    let mut html = String::with_capacity(2048);
    let _ = write!(
        html,
        "<!doctype html><html><body style=\"font-family:sans-serif;color:#222;max-width:36rem\">\
         <h1 style=\"font-size:1.3rem\">{}</h1><p>{}</p><p>Order <code>{}</code></p>\
         <table style=\"border-collapse:collapse;width:100%\">",
        esc(&subject),
        esc(&lead),
        esc(&order.id)
    );
    for l in &order.lines {
        let _ = write!(
            html,
            "<tr><td>{} × {}</td><td style=\"text-align:right\">{}</td></tr>",
            l.quantity,
            esc(&l.title),
            esc(&money(order, l.line_total))
        );
    }
    for (label, amount) in &rows {
        let _ = write!(
            html,
            "<tr><th scope=\"row\" style=\"text-align:left;font-weight:normal\">{}</th>\
             <td style=\"text-align:right\">{}</td></tr>",
            esc(label),
            esc(amount)
        );
    }
    html.push_str("</table>");
    if !address.is_empty() {
        let lines: Vec<String> = address.iter().map(|l| esc(l)).collect();
        let _ = write!(
            html,
            "<h2 style=\"font-size:1rem\">Shipping to</h2><p>{}</p>",
            lines.join("<br>")
        );
    }
    let _ = write!(
        html,
        "<p><a href=\"{}\">See your order</a></p><p>{}</p></body></html>",
        esc(&link),
        esc(shop)
    );
    Email {
        subject,
        text,
        html,
    }
}

/// The totals as (label, formatted amount), in the order a receipt lists them.
fn rows(order: &Order) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    if let Some(c) = &order.charges {
        rows.push(("Subtotal".to_owned(), money(order, c.subtotal)));
        if c.discount > 0 {
            let label = match &order.discount {
                Some(d) => format!("Discount ({})", d.code),
                None => "Discount".to_owned(),
            };
            rows.push((label, format!("−{}", money(order, c.discount))));
        }
        let rate = order
            .delivery
            .as_ref()
            .map_or(String::new(), |d| format!(" ({})", d.rate_name));
        let shipping = if c.shipping == 0 {
            "Free".to_owned()
        } else {
            money(order, c.shipping)
        };
        rows.push((format!("Shipping{rate}"), shipping));
        let tax = if c.tax_included {
            "Including tax"
        } else {
            "Tax"
        };
        rows.push((tax.to_owned(), money(order, c.tax)));
    }
    rows.push(("Total".to_owned(), money(order, order.total)));
    rows
}

fn money(order: &Order, amount: i64) -> String {
    Money::new(amount, order.currency).to_string()
}

/// Text for HTML, attribute values included.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::tests::order;
    use crate::order::{Address, Charges, Delivery, OrderLine};
    use crate::settings::Country;
    use crate::Sku;

    fn placed() -> Order {
        let mut o = order();
        o.id = "ord_0123456789abcdef0123456789abcdef".into();
        o.origin = "https://shop.example".into();
        o.lines = vec![OrderLine {
            sku: Sku::parse("TEE-M").expect("sku"),
            title: "Tee <b>M</b>".into(),
            quantity: 2,
            unit_price: 2500,
            line_total: 5000,
            initial_stock: 0,
            discount: 0,
        }];
        o.charges = Some(Charges {
            subtotal: 5000,
            discount: 0,
            shipping: 490,
            tax: 877,
            tax_included: true,
        });
        o.total = 5490;
        o.delivery = Some(Delivery {
            country: Country::parse("DE").expect("de"),
            rate: "standard".into(),
            rate_name: "Standard".into(),
            address: Some(Address {
                name: "Ada Lovelace".into(),
                line1: "1 Main St".into(),
                line2: None,
                postal_code: "10115".into(),
                city: "Berlin".into(),
                state: None,
                country: "DE".into(),
            }),
        });
        o
    }

    #[test]
    fn a_receipt_lists_items_totals_address_and_the_order_link() {
        let e = email(&placed(), NoticeKind::Receipt, "Edge Storefront");
        assert_eq!(e.subject, "Your Edge Storefront order 01234567: receipt");
        for part in [
            "2 × Tee <b>M</b>  €50.00",
            "Subtotal: €50.00",
            "Shipping (Standard): €4.90",
            "Including tax: €8.77",
            "Total: €54.90",
            "Ada Lovelace\n1 Main St\n10115 Berlin\nDE",
            "https://shop.example/orders/ord_0123456789abcdef0123456789abcdef",
        ] {
            assert!(e.text.contains(part), "{part:?} in {}", e.text);
        }
        assert!(e.html.contains("Tee &lt;b&gt;M&lt;/b&gt;"), "escaped");
        assert!(!e.html.contains("<b>M"), "never raw");
        assert!(e.html.contains("€54.90"));
        assert!(e.html.contains("Ada Lovelace<br>1 Main St"));
        assert!(e.html.contains(
            "<a href=\"https://shop.example/orders/ord_0123456789abcdef0123456789abcdef\">"
        ));
    }

    #[test]
    fn on_its_way_says_so_and_free_shipping_reads_free() {
        let mut o = placed();
        if let Some(c) = o.charges.as_mut() {
            c.shipping = 0;
        }
        let e = email(&o, NoticeKind::Shipped, "Shop");
        assert_eq!(e.subject, "Your Shop order 01234567 is on its way");
        assert!(e.text.contains("on its way"));
        assert!(e.text.contains("Shipping (Standard): Free"));
    }
}
