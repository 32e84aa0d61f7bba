use super::*;
use crate::admin_pages::AdminView;
use domain::discount::Code;
use domain::Handle;

/// 2026-01-01T00:00:00Z.
const NOW: i64 = 1_767_225_600;
const DAY: i64 = 86_400;

fn code(code: &str, kind: Kind, value: i64) -> Discount {
    Discount {
        code: Code::parse(code).expect("code"),
        kind,
        value,
        min_subtotal: None,
        starts_at: None,
        ends_at: None,
        usage_limit: None,
        once_per_email: false,
        collections: vec![],
        disabled: false,
    }
}

fn summary(discount: Discount, redeemed: u32, held: u32) -> Summary {
    Summary {
        discount,
        redeemed,
        held,
    }
}

fn page(discounts: Vec<Summary>, csrf: &str) -> String {
    crate::render::admin(AdminView {
        csrf: csrf.into(),
        currency: Currency::EUR,
        stock: vec![],
        orders: vec![],
        message: None,
        problems: vec![],
        settings: None,
        discounts,
        now: NOW,
    })
}

/// The table row of `code`.
fn row<'a>(html: &'a str, code: &str) -> &'a str {
    let start = html
        .find(&format!("<tr data-code=\"{code}\""))
        .unwrap_or_else(|| panic!("no row {code}: {html}"));
    let len = html[start..].find("</tr>").expect("row end");
    &html[start..start + len]
}

#[test]
fn each_kind_reads_as_what_it_does() {
    assert_eq!(does(Kind::Percent, 1000, Currency::EUR), "10 % off");
    assert_eq!(does(Kind::Percent, 1250, Currency::EUR), "12.5 % off");
    assert_eq!(does(Kind::Percent, 5, Currency::EUR), "0.05 % off");
    assert_eq!(does(Kind::Fixed, 500, Currency::EUR), "€5.00 off");
    assert_eq!(does(Kind::FreeShipping, 0, Currency::EUR), "Free shipping");
}

#[test]
fn a_code_is_disabled_scheduled_ended_used_up_or_active() {
    let status_of = |d: Discount, redeemed, held| status(&summary(d, redeemed, held), NOW).0;
    let base = || code("WELCOME10", Kind::Percent, 1000);
    assert_eq!(status_of(base(), 0, 0), "Active");
    let mut d = base();
    d.disabled = true;
    d.starts_at = Some(NOW + DAY);
    assert_eq!(status_of(d, 0, 0), "Disabled", "before anything else");
    let mut d = base();
    d.starts_at = Some(NOW + 1);
    assert_eq!(status_of(d, 0, 0), "Scheduled");
    let mut d = base();
    d.starts_at = Some(NOW);
    d.ends_at = Some(NOW + 1);
    assert_eq!(status_of(d, 0, 0), "Active", "from its start");
    let mut d = base();
    d.ends_at = Some(NOW);
    assert_eq!(status_of(d, 0, 0), "Ended", "up to, not including, its end");
    let mut d = base();
    d.usage_limit = Some(3);
    assert_eq!(status_of(d.clone(), 1, 1), "Active");
    assert_eq!(status_of(d, 2, 1), "Used up", "holds count");
}

#[test]
fn the_admin_lists_the_codes_with_their_uses_and_a_form_to_disable_the_enabled() {
    let mut welcome = code("WELCOME10", Kind::Percent, 1000);
    welcome.usage_limit = Some(10);
    welcome.min_subtotal = Some(5000);
    welcome.once_per_email = true;
    welcome.starts_at = Some(NOW - DAY);
    welcome.ends_at = Some(NOW + 30 * DAY);
    let mut five = code("FIVE-OFF", Kind::Fixed, 500);
    five.collections = vec![
        Handle::parse("apparel").expect("handle"),
        Handle::parse("outdoor").expect("handle"),
    ];
    five.starts_at = Some(NOW + DAY);
    let mut ship = code("ship_free", Kind::FreeShipping, 0);
    ship.disabled = true;
    let mut old = code("OLD", Kind::Fixed, 1000);
    old.ends_at = Some(NOW - DAY);
    let mut gone = code("GONE", Kind::Percent, 2000);
    gone.usage_limit = Some(2);
    let html = page(
        vec![
            summary(welcome, 3, 1),
            summary(five, 0, 0),
            summary(ship, 7, 0),
            summary(old, 1, 0),
            summary(gone, 2, 0),
        ],
        "tok",
    );
    assert!(html.contains("<a href=\"#discounts\">Discounts</a>"), "nav");
    assert!(html.contains("<h2 id=\"discounts\">Discounts</h2>"));

    let welcome = row(&html, "WELCOME10");
    for text in [
        "10 % off",
        "Orders from €50.00 · Once per e-mail",
        "<span>From 2025-12-31T00:00:00Z</span><span>Until 2026-01-31T00:00:00Z</span>",
        "3 of 10 used · 1 held",
        "<span class=\"status done\">Active</span>",
    ] {
        assert!(welcome.contains(text), "{text}: {welcome}");
    }
    let five = row(&html, "FIVE-OFF");
    for text in [
        "€5.00 off",
        "Only apparel, outdoor",
        "<span>From 2026-01-02T00:00:00Z</span><!></div>",
        ">0 used<",
        "Scheduled",
    ] {
        assert!(five.contains(text), "{text}: {five}");
    }
    // Typed in lower case, listed as saved: upper case.
    let ship = row(&html, "SHIP_FREE");
    for text in ["Free shipping", "<span>—</span>", ">7 used<", "Disabled"] {
        assert!(ship.contains(text), "{text}: {ship}");
    }
    assert!(row(&html, "OLD").contains(">Ended<"));
    let gone = row(&html, "GONE");
    assert!(
        gone.contains(">2 of 2 used<") && gone.contains(">Used up<"),
        "{gone}"
    );

    // A form to disable each code but the disabled one, with the session's token.
    for code in ["WELCOME10", "FIVE-OFF", "OLD", "GONE"] {
        let r = row(&html, code);
        assert!(
            r.contains(&format!(
                "<form method=\"post\" action=\"/admin/discounts/{code}/disable\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"tok\">"
            )),
            "{r}"
        );
        assert!(r.contains("class=\"secondary\">Disable"), "{r}");
    }
    assert!(!row(&html, "SHIP_FREE").contains("/disable"));
    assert!(!html.contains("No discount codes yet"));
}

#[test]
fn the_admin_offers_a_form_for_a_new_code_even_without_any() {
    let html = page(vec![], "t\"<ok>&");
    assert!(html.contains("No discount codes yet"), "a sentence");
    assert!(!html.contains("admin-table discounts"), "no empty table");
    let start = html
        .find("<form method=\"post\" action=\"/admin/discounts\"")
        .expect("the form");
    let form = &html[start..start + html[start..].find("</form>").expect("end")];
    // The token is escaped in every form.
    assert!(
        form.contains("name=\"csrf\" value=\"t&quot;&lt;ok&gt;&amp;\""),
        "{form}"
    );
    assert!(!html.contains("t\"<ok>"));
    for field in [
        "name=\"code\" required",
        "pattern=\"[A-Za-z0-9_\\-]{3,32}\"",
        "<option value=\"percent\">Percent off</option>",
        "<option value=\"fixed\">Amount off</option>",
        "<option value=\"free_shipping\">Free shipping</option>",
        "name=\"value\"",
        "10 for 10 %, or 5.00 for an amount (EUR)",
        "name=\"min_subtotal\"",
        "type=\"datetime-local\" name=\"starts_at\"",
        "type=\"datetime-local\" name=\"ends_at\"",
        "Times in UTC",
        "type=\"number\" name=\"usage_limit\"",
        "type=\"checkbox\" name=\"once_per_email\" value=\"true\"",
        "name=\"collections\"",
        "<button type=\"submit\">Create code</button>",
    ] {
        assert!(form.contains(field), "{field}: {form}");
    }
    // Every field is labelled.
    for id in [
        "new-code",
        "new-kind",
        "new-value",
        "new-min",
        "new-starts",
        "new-ends",
        "new-limit",
        "new-collections",
    ] {
        assert!(form.contains(&format!("<label for=\"{id}\">")), "{id}");
        assert!(form.contains(&format!("id=\"{id}\"")), "{id}");
    }
}
