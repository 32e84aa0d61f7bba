//! End-to-end: sessions with shipping and tax as the shop creates them (address collection in
//! one country, one fixed-amount rate, tax included in the prices or as a line of its own), the
//! payment page that asks for the address, the webhook that carries it, the test shortcut and
//! refunds.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{client, create, gateway, sandbox, session_form, Receiver, SECRET_KEY};
use serde_json::{json, Value};

const CARD: &str = "card_number=4242+4242+4242+4242&expiry=12%2F34&cvc=123";
const ADDRESS: &str = "name=Ada+Lovelace&line1=12+Rue+de+Rivoli&line2=&postal_code=75004\
    &city=Paris&country=FR";

/// The extra parameters the shop sends for an order of 2 × 12.00 shipped to France by
/// "Express" (24.90), with tax 8.15 included in the prices, or (excluded) 4.00 on 2 × 10.00
/// plus shipping 20.75.
fn shop_params(tax_included: bool) -> String {
    let behavior = if tax_included {
        "inclusive"
    } else {
        "exclusive"
    };
    let (shipping, tax) = if tax_included {
        (2490, 815)
    } else {
        (2075, 400)
    };
    let mut p = format!(
        "&line_items[0][price_data][tax_behavior]={behavior}\
         &line_items[0][price_data][product_data][metadata][sku]=MUG\
         &shipping_address_collection[allowed_countries][0]=FR\
         &shipping_options[0][shipping_rate_data][type]=fixed_amount\
         &shipping_options[0][shipping_rate_data][display_name]=Express\
         &shipping_options[0][shipping_rate_data][fixed_amount][amount]={shipping}\
         &shipping_options[0][shipping_rate_data][fixed_amount][currency]=eur\
         &shipping_options[0][shipping_rate_data][tax_behavior]={behavior}\
         &shipping_options[0][shipping_rate_data][metadata][rate]=express\
         &metadata[tax]={tax}&metadata[tax_included]={tax_included}"
    );
    if !tax_included {
        p.push_str(
            "&line_items[1][quantity]=1&line_items[1][price_data][currency]=eur\
             &line_items[1][price_data][unit_amount]=400\
             &line_items[1][price_data][tax_behavior]=exclusive\
             &line_items[1][price_data][product_data][name]=Tax\
             &line_items[1][price_data][product_data][metadata][kind]=tax",
        );
    }
    p
}

/// A session as the shop creates it: `session_form`'s 2 × 12.50 mugs are repriced to 12.00
/// (tax included) or 10.00 (tax excluded).
async fn shop_session(base: &str, order: &str, tax_included: bool) -> Value {
    let unit = if tax_included { "1200" } else { "1000" };
    let form = session_form(order, &shop_params(tax_included)).replace(
        "line_items[0][price_data][unit_amount]=1250",
        &format!("line_items[0][price_data][unit_amount]={unit}"),
    );
    create(base, form).await
}

async fn post_pay(base: &str, id: &str, body: String) -> (u16, String) {
    let reply = client()
        .post(format!("{base}/pay/{id}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (reply.status().as_u16(), reply.text().await.unwrap())
}

async fn get_json(base: &str, path: &str) -> Value {
    let mut req = client().get(format!("{base}{path}"));
    if path.starts_with("/v1/") {
        req = req.bearer_auth(SECRET_KEY);
    }
    req.send().await.unwrap().json().await.unwrap()
}

async fn complete(base: &str, id: &str, body: &str) -> (u16, Value) {
    let reply = client()
        .post(format!("{base}/_sandbox/sessions/{id}/complete"))
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    (reply.status().as_u16(), reply.json().await.unwrap())
}

#[tokio::test]
async fn both_tax_shapes_total_like_stripe_and_the_page_breaks_them_down() {
    let running = gateway("http://127.0.0.1:9/hook").await;
    let base = running.base_url.clone();

    let incl = shop_session(&base, "ord_i", true).await;
    assert_eq!(incl["amount_subtotal"], 2400);
    assert_eq!(incl["amount_total"], 2400 + 2490);
    assert_eq!(
        incl["total_details"],
        json!({"amount_discount": 0, "amount_shipping": 2490, "amount_tax": 815})
    );
    assert_eq!(
        incl["shipping_address_collection"],
        json!({"allowed_countries": ["FR"]})
    );
    let rate = incl["shipping_options"][0]["shipping_rate"]
        .as_str()
        .unwrap();
    assert!(rate.starts_with("shr_"));
    assert_eq!(
        incl["shipping_options"],
        json!([{"shipping_amount": 2490, "shipping_rate": rate}])
    );
    assert_eq!(
        incl["shipping_cost"],
        json!({"amount_subtotal": 2490, "amount_total": 2490, "shipping_rate": rate})
    );
    assert_eq!(incl["shipping_details"], Value::Null);

    let excl = shop_session(&base, "ord_e", false).await;
    assert_eq!(
        excl["amount_subtotal"],
        2000 + 400,
        "the tax line is an item"
    );
    assert_eq!(excl["amount_total"], 2000 + 400 + 2075);
    assert_eq!(excl["total_details"]["amount_tax"], 400);
    assert_eq!(excl["total_details"]["amount_shipping"], 2075);

    let page = |id: &Value| {
        let url = format!("{base}/pay/{}", id.as_str().unwrap());
        async move {
            client()
                .get(url)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let html = page(&incl["id"]).await;
    for label in [
        "Full name",
        "Address",
        "Address line 2 (optional)",
        "Postal code",
        "City",
        "Country",
    ] {
        assert!(html.contains(&format!("\">{label}</label>")), "{label}");
    }
    assert!(html.contains("<select id=\"country\" name=\"country\""));
    assert_eq!(html.matches("<option").count(), 1, "France only");
    assert!(html.contains(">Shipping (Express)</th><td class=\"n\">24.90 EUR</td>"));
    assert!(html.contains(">Including tax</th><td class=\"n\">8.15 EUR</td>"));
    assert!(html.contains(">Total</th><td class=\"n\">48.90 EUR</td>"));
    assert!(html.contains("<button type=\"submit\">Pay 48.90 EUR</button>"));

    let html = page(&excl["id"]).await;
    assert!(html.contains(">Subtotal</th><td class=\"n\">20.00 EUR</td>"));
    assert!(html.contains(">Shipping (Express)</th><td class=\"n\">20.75 EUR</td>"));
    assert!(html.contains(">Tax</th><td class=\"n\">4.00 EUR</td>"));
    assert!(html.contains(">Total</th><td class=\"n\">44.75 EUR</td>"));
    assert!(html.contains("Pay 44.75 EUR</button>"));

    // Without the shipping parameters nothing changes: no address asked, the items' total.
    let plain = create(&base, session_form("ord_p", "")).await;
    assert_eq!(
        (&plain["amount_subtotal"], &plain["amount_total"]),
        (&json!(2500), &json!(2500))
    );
    assert_eq!(plain["shipping_address_collection"], Value::Null);
    assert_eq!(plain["shipping_options"], json!([]));
    assert_eq!(plain["shipping_cost"], Value::Null);
    assert_eq!(plain["total_details"]["amount_shipping"], 0);
    let html = page(&plain["id"]).await;
    assert!(!html.contains("Full name") && !html.contains("<select"));
    assert!(html.contains("Pay 25.00 EUR</button>"));
    running.shutdown().await;
}

#[tokio::test]
async fn the_page_refuses_bad_addresses_and_the_webhook_carries_a_good_one() {
    let mut receiver = Receiver::start(&[]).await;
    let running = gateway(&receiver.url).await;
    let base = running.base_url.clone();
    let session = shop_session(&base, "ord_1", false).await;
    let id = session["id"].as_str().unwrap();

    let missing = ADDRESS.replace("&city=Paris", "");
    let (status, html) = post_pay(&base, id, format!("{CARD}&{missing}")).await;
    assert_eq!(status, 400);
    assert!(html.contains("role=\"alert\">Enter the city.</p>"));
    assert!(
        html.contains("value=\"12 Rue de Rivoli\""),
        "typed values are kept"
    );
    let abroad = ADDRESS.replace("country=FR", "country=DE");
    let (status, html) = post_pay(&base, id, format!("{CARD}&{abroad}")).await;
    assert_eq!(status, 400);
    assert!(html.contains("This shop ships to FR only from this checkout."));
    receiver.assert_quiet().await;
    let fetched = get_json(&base, &format!("/v1/checkout/sessions/{id}")).await;
    assert_eq!(
        (&fetched["status"], &fetched["payment_status"]),
        (&json!("open"), &json!("unpaid"))
    );

    let (status, _) = post_pay(&base, id, format!("{CARD}&{ADDRESS}")).await;
    assert_eq!(status, 303);
    let delivery = receiver.next().await;
    delivery.assert_signed();
    let event = delivery.json();
    assert_eq!(event["type"], "checkout.session.completed");
    let object = &event["data"]["object"];
    assert_eq!(
        object["shipping_details"],
        json!({"name": "Ada Lovelace", "address": {"line1": "12 Rue de Rivoli", "line2": null,
               "city": "Paris", "postal_code": "75004", "state": null, "country": "FR"}})
    );
    assert_eq!(object["amount_total"], 4475);
    assert_eq!(object["amount_subtotal"], 2400);
    assert_eq!(object["total_details"]["amount_shipping"], 2075);
    assert_eq!(object["total_details"]["amount_tax"], 400);
    assert_eq!(object["shipping_cost"]["amount_total"], 2075);
    let fetched = get_json(&base, &format!("/v1/checkout/sessions/{id}")).await;
    assert_eq!(fetched["shipping_details"], object["shipping_details"]);

    // A full refund gives back what was paid, shipping included.
    let pi = object["payment_intent"].as_str().unwrap();
    let refund: Value = client()
        .post(format!("{base}/v1/refunds"))
        .bearer_auth(SECRET_KEY)
        .body(format!("payment_intent={pi}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(refund["amount"], object["amount_total"]);
    running.shutdown().await;
}

#[tokio::test]
async fn the_complete_shortcut_ships_to_the_body_or_a_default_address() {
    let running = gateway("http://127.0.0.1:9/hook").await;
    let base = running.base_url.clone();
    sandbox(&base, "faults", r#"{"hold_webhooks": true}"#).await;

    let first = shop_session(&base, "ord_a", true).await;
    let done = sandbox(
        &base,
        &format!("sessions/{}/complete", first["id"].as_str().unwrap()),
        "",
    )
    .await;
    assert_eq!(done["status"], "complete");
    assert_eq!(done["shipping_details"]["name"], "Sandbox Shopper");
    assert_eq!(
        done["shipping_details"]["address"],
        json!({"line1": "1 Test Street", "line2": null, "city": "Testville",
               "postal_code": "12345", "state": null, "country": "FR"})
    );

    let second = shop_session(&base, "ord_b", true).await;
    let sid = second["id"].as_str().unwrap();
    let body = |country: &str| {
        json!({"shipping_details": {"name": "Ada", "address": {
            "line1": "1 Quai Branly", "city": "Paris", "postal_code": "75007",
            "country": country}}})
        .to_string()
    };
    let (status, refused) = complete(&base, sid, &body("BE")).await;
    assert_eq!(status, 400);
    assert_eq!(refused["error"]["type"], "invalid_request_error");
    assert_eq!(
        refused["error"]["param"],
        "shipping_details[address][country]"
    );
    let (status, done) = complete(&base, sid, &body("FR")).await;
    assert_eq!(status, 200);
    assert_eq!(
        done["shipping_details"]["address"]["line1"],
        "1 Quai Branly"
    );

    // A session that collects no address is paid without a body, as before.
    let plain = create(&base, session_form("ord_c", "")).await;
    let (status, done) = complete(&base, plain["id"].as_str().unwrap(), "").await;
    assert_eq!((status, &done["shipping_details"]), (200, &Value::Null));

    let events = get_json(&base, "/_sandbox/events").await;
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 3, "the refused attempt paid nothing");
    assert_eq!(events[1]["data"]["object"]["id"], sid);
    assert_eq!(
        events[1]["data"]["object"]["shipping_details"]["name"],
        "Ada"
    );
    let listed = get_json(&base, "/_sandbox/sessions").await;
    assert_eq!(
        listed[1]["shipping_details"],
        events[1]["data"]["object"]["shipping_details"]
    );
    running.shutdown().await;
}
