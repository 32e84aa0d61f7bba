use integration_tests::{
    deliver_webhook, eventually, pay, sandbox, server, unix_now, Client, WEBHOOK_SECRET,
};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

pub(crate) async fn order(c: &Client, id: &str) -> Value {
    let r = c.get(&format!("/api/orders/{id}")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

pub(crate) async fn wait_status(c: &Client, id: &str, status: &str) -> Value {
    eventually(&format!("order {id} to be {status}"), WAIT, || async {
        let o = order(c, id).await;
        (o["status"] == status).then_some(o)
    })
    .await
}

/// The session the sandbox holds for an order.
pub(crate) async fn sessions_of(order_id: &str) -> Vec<Value> {
    let all = sandbox(&server().gateway, Method::GET, "/_sandbox/sessions", None).await;
    all.as_array()
        .map(|a| {
            a.iter()
                .filter(|s| s["metadata"]["order_id"] == order_id)
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn add_checkout_pay_confirm() {
    let c = Client::shopper();
    c.set_stock("HAMMOCK-FOREST", 10).await;
    c.add("HAMMOCK-FOREST", 2).await;
    // To Germany, where €118.00 of goods ship free (prices include VAT).
    let to = c
        .post_json("/api/cart/shipping", &json!({"country": "DE"}))
        .await;
    assert_eq!(to.status, 200, "{}", to.body);
    let r = c.checkout().await;
    assert_eq!(r.status, 201, "{}", r.body);
    let j = r.json();
    let id = j["order_id"].as_str().expect("order id").to_owned();
    let pay_url = j["payment_url"].as_str().expect("payment url").to_owned();
    assert!(id.starts_with("ord_") && id.len() == 36, "{id}");
    assert!(pay_url.starts_with(&server().gateway.base), "{pay_url}");

    // Reserved, not yet sold.
    let s = c.stock("HAMMOCK-FOREST").await;
    assert_eq!(
        (
            s["on_hand"].as_u64(),
            s["reserved"].as_u64(),
            s["available"].as_u64()
        ),
        (Some(10), Some(2), Some(8))
    );
    let o = order(&c, &id).await;
    assert_eq!(o["status"], "awaiting_payment");
    assert_eq!(o["total"], 11800);
    assert_eq!(o["currency"], "EUR");
    assert_eq!(o["lines"][0]["sku"], "HAMMOCK-FOREST");

    // The gateway was asked for the right amounts, in minor units.
    let sessions = sessions_of(&id).await;
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0]["amount_total"], 11800);
    assert_eq!(sessions[0]["currency"], "eur");

    // The shopper pays on the hosted page with the test card.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = http.get(&pay_url).send().await.expect("payment page");
    assert_eq!(page.status(), 200);
    let declined = http
        .post(&pay_url)
        .form(&[
            ("name", "Ada Lovelace"),
            ("line1", "Unter den Linden 1"),
            ("postal_code", "10117"),
            ("city", "Berlin"),
            ("country", "DE"),
            ("card_number", "4000 0000 0000 0002"),
            ("expiry", "12/34"),
            ("cvc", "123"),
        ])
        .send()
        .await
        .expect("pay");
    assert_eq!(declined.status(), 402);
    assert_eq!(
        order(&c, &id).await["status"],
        "awaiting_payment",
        "a declined card changes nothing"
    );
    let paid = http
        .post(&pay_url)
        .form(&[
            ("name", "Ada Lovelace"),
            ("line1", "Unter den Linden 1"),
            ("postal_code", "10117"),
            ("city", "Berlin"),
            ("country", "DE"),
            ("card_number", "4242 4242 4242 4242"),
            ("expiry", "12/34"),
            ("cvc", "123"),
        ])
        .send()
        .await
        .expect("pay");
    assert_eq!(paid.status(), 303);
    let back = paid
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        back.starts_with(&format!("{}/orders/{id}", c.base)),
        "{back}"
    );

    wait_status(&c, &id, "paid").await;
    let s = c.stock("HAMMOCK-FOREST").await;
    assert_eq!(
        (s["on_hand"].as_u64(), s["reserved"].as_u64()),
        (Some(8), Some(0)),
        "{s}"
    );
    assert_eq!(
        c.get("/api/cart").await.json()["lines"],
        json!([]),
        "the paid cart is emptied"
    );
    let confirmation = c.get(&format!("/orders/{id}")).await;
    assert_eq!(confirmation.status, 200);
    confirmation.assert_contains("Thank you for your order");
    confirmation.assert_contains("€118.00");
}

/// Issue #10, defect 1: paying a checkout removes what was checked out, and only that.
#[tokio::test]
async fn paying_keeps_what_was_added_after_the_checkout_began() {
    let c = Client::shopper();
    c.set_stock("DENIM-APRON-LONG", 5).await;
    c.set_stock("HAMMOCK-SUNSET", 5).await;
    c.add("DENIM-APRON-LONG", 1).await;
    let r = c.checkout().await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["order_id"].as_str().expect("order id").to_owned();
    c.add("HAMMOCK-SUNSET", 1).await;
    c.add("DENIM-APRON-LONG", 1).await;

    pay(&server().gateway, &id).await;
    let o = wait_status(&c, &id, "paid").await;
    assert_eq!(o["lines"].as_array().map(Vec::len), Some(1), "{o}");
    assert_eq!(o["lines"][0]["quantity"], 1);
    let cart = c.get("/api/cart").await.json();
    let mut lines: Vec<(String, u64)> = cart["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            (
                l["sku"].as_str().unwrap_or_default().to_owned(),
                l["quantity"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    lines.sort();
    assert_eq!(
        lines,
        vec![
            ("DENIM-APRON-LONG".to_owned(), 1),
            ("HAMMOCK-SUNSET".to_owned(), 1)
        ],
        "{cart}"
    );
}

#[tokio::test]
async fn a_retried_checkout_opens_one_session_and_a_replayed_webhook_charges_once() {
    let c = Client::shopper();
    c.set_stock("PICNIC-BLANKET-CHECK", 6).await;
    c.add("PICNIC-BLANKET-CHECK", 1).await;
    let first = c.checkout().await;
    assert_eq!(first.status, 201, "{}", first.body);
    let id = first.json()["order_id"].as_str().expect("id").to_owned();
    // Retried, and double-clicked: the same order and payment page, not a new charge.
    let again = c.checkout().await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json()["order_id"], id.as_str());
    assert_eq!(again.json()["payment_url"], first.json()["payment_url"]);
    let burst = futures_join(&c, 5).await;
    assert!(burst.iter().all(|o| o == &id), "{burst:?}");
    assert_eq!(sessions_of(&id).await.len(), 1);
    assert_eq!(c.stock("PICNIC-BLANKET-CHECK").await["reserved"], 1);

    // Pay; then deliver the completed event again, signed afresh, twice.
    let session = &sessions_of(&id).await[0];
    let sid = session["id"].as_str().expect("session id");
    sandbox(
        &server().gateway,
        Method::POST,
        &format!("/_sandbox/sessions/{sid}/complete"),
        None,
    )
    .await;
    wait_status(&c, &id, "paid").await;
    let events = sandbox(&server().gateway, Method::GET, "/_sandbox/events", None).await;
    let completed = events
        .as_array()
        .and_then(|a| {
            a.iter().find(|e| {
                e["type"] == "checkout.session.completed" && e["data"]["object"]["id"] == sid
            })
        })
        .cloned()
        .expect("completed event");
    let body = serde_json::to_vec(&completed).expect("json");
    for _ in 0..2 {
        let r = deliver_webhook(&c, &body).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let s = c.stock("PICNIC-BLANKET-CHECK").await;
    assert_eq!(
        (s["on_hand"].as_u64(), s["reserved"].as_u64()),
        (Some(5), Some(0)),
        "committed once: {s}"
    );
}

/// `n` concurrent checkouts of the same cart; their order ids.
async fn futures_join(c: &Client, n: usize) -> Vec<String> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let c = c.clone();
        tasks.push(tokio::spawn(async move { c.checkout().await }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        let r = t.await.expect("task");
        assert!(r.status == 200 || r.status == 201, "{}", r.body);
        ids.push(r.json()["order_id"].as_str().unwrap_or_default().to_owned());
    }
    ids
}

#[tokio::test]
async fn forged_stale_and_unsigned_webhooks_change_nothing() {
    let c = Client::shopper();
    c.set_stock("BRASS-PENCIL-RAW", 4).await;
    c.add("BRASS-PENCIL-RAW", 1).await;
    let id = c.checkout().await.json()["order_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let event = json!({
        "id": "evt_forged", "object": "event", "type": "checkout.session.completed",
        "data": { "object": { "id": "cs_forged", "payment_status": "paid", "metadata": { "order_id": id }, "client_reference_id": id } }
    });
    let body = serde_json::to_vec(&event).expect("json");
    let now = unix_now();
    let post = |sig: Option<String>, body: Vec<u8>| {
        let mut req = c
            .request(Method::POST, "/webhooks/payment")
            .header("content-type", "application/json")
            .body(body);
        if let Some(s) = sig {
            req = req.header("stripe-signature", s);
        }
        c.send(req)
    };
    let cases = vec![
        ("unsigned", None, body.clone()),
        (
            "wrong secret",
            Some(domain::webhook::header(b"whsec_attacker", now, &body)),
            body.clone(),
        ),
        (
            "stale",
            Some(domain::webhook::header(
                WEBHOOK_SECRET.as_bytes(),
                now - 400,
                &body,
            )),
            body.clone(),
        ),
        (
            "future",
            Some(domain::webhook::header(
                WEBHOOK_SECRET.as_bytes(),
                now + 400,
                &body,
            )),
            body.clone(),
        ),
        (
            "tampered",
            Some(domain::webhook::header(
                WEBHOOK_SECRET.as_bytes(),
                now,
                b"{}",
            )),
            body.clone(),
        ),
        ("garbage header", Some("t=x,v1=zz".to_owned()), body.clone()),
    ];
    for (what, sig, body) in cases {
        let r = post(sig, body).await;
        assert_eq!(r.status, 400, "{what}: {}", r.body);
        assert_eq!(r.json()["error"], "bad_signature", "{what}");
    }
    assert_eq!(order(&c, &id).await["status"], "awaiting_payment");
    let s = c.stock("BRASS-PENCIL-RAW").await;
    assert_eq!(
        (s["on_hand"].as_u64(), s["reserved"].as_u64()),
        (Some(4), Some(1))
    );
    // A correctly signed but malformed body is a 400 too.
    let r = post(
        Some(domain::webhook::header(
            WEBHOOK_SECRET.as_bytes(),
            now,
            b"not json",
        )),
        b"not json".to_vec(),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "malformed_json");
}

#[tokio::test]
async fn checkout_refuses_empty_carts_and_bad_emails() {
    let c = Client::shopper();
    let r = c.checkout().await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["error"], "empty_cart");
    c.add("DOT-GRID-NOTEBOOK-A5-SAGE", 1).await;
    for email in ["", "nope", "a@b"] {
        let r = c
            .post_json("/api/checkout", &json!({ "email": email }))
            .await;
        assert_eq!(r.status, 400, "{email}: {}", r.body);
        assert_eq!(r.json()["error"], "bad_email");
    }
    let r = c
        .send(c.request(Method::POST, "/api/checkout").body("{"))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "malformed_json");
    assert_eq!(
        c.stock("DOT-GRID-NOTEBOOK-A5-SAGE").await["reserved"],
        0,
        "nothing reserved"
    );
}

#[tokio::test]
async fn the_checkout_form_redirects_to_the_payment_page() {
    let c = Client::shopper();
    c.set_stock("WATERCOLOUR-SET-12-PANS", 5).await;
    c.post_form(
        "/cart/add",
        &[("sku", "WATERCOLOUR-SET-12-PANS"), ("quantity", "1")],
    )
    .await;
    let r = c
        .post_form("/checkout", &[("email", "shopper@example.com")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let to = r.header("location").unwrap_or_default();
    assert!(to.starts_with(&server().gateway.base), "{to}");
    let bad = c.post_form("/checkout", &[("email", "not-an-email")]).await;
    assert_eq!(bad.status, 400);
    bad.assert_contains("e-mail address");
}

#[tokio::test]
async fn unknown_orders_are_404() {
    let c = Client::new();
    let missing = format!("ord_{}", "0".repeat(32));
    let r = c.get(&format!("/api/orders/{missing}")).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"], "not_found");
    assert_eq!(c.get(&format!("/orders/{missing}")).await.status, 404);
    assert_eq!(c.get("/api/orders/ord_guess").await.status, 404);
}

#[tokio::test]
async fn fifty_shoppers_race_for_five_units() {
    const SKU: &str = "TRAIL-BACKPACK-30-L-BLACK";
    const SHOPPERS: usize = 50;
    let admin = Client::new();
    admin.set_stock(SKU, 5).await;
    let mut shoppers = Vec::new();
    for _ in 0..SHOPPERS {
        let c = Client::shopper();
        c.add(SKU, 1).await;
        shoppers.push(c);
    }
    let started = std::time::Instant::now();
    let tasks: Vec<_> = shoppers
        .iter()
        .cloned()
        .map(|c| tokio::spawn(async move { c.checkout().await }))
        .collect();
    let mut created = Vec::new();
    let mut refused = 0;
    for t in tasks {
        let r = t.await.expect("task");
        match r.status {
            201 => created.push(r.json()["order_id"].as_str().unwrap_or_default().to_owned()),
            409 => {
                let j = r.json();
                assert_eq!(j["error"], "out_of_stock", "{j}");
                assert_eq!(j["sku"], SKU);
                refused += 1;
            }
            other => panic!("unexpected {other}: {}", r.body),
        }
    }
    let s = admin.stock(SKU).await;
    eprintln!(
        "race: {SHOPPERS} shoppers, stock 5: {} orders reserved, {refused} got 409, counters {s} ({:.1?})",
        created.len(),
        started.elapsed()
    );
    assert_eq!(created.len(), 5);
    assert_eq!(refused, SHOPPERS - 5);
    assert_eq!(
        (
            s["on_hand"].as_u64(),
            s["reserved"].as_u64(),
            s["available"].as_u64()
        ),
        (Some(5), Some(5), Some(0))
    );

    for id in &created {
        pay(&server().gateway, id).await;
    }
    for id in &created {
        wait_status(&admin, id, "paid").await;
    }
    let s = admin.stock(SKU).await;
    eprintln!("race: after paying, counters {s}");
    assert_eq!(
        (
            s["on_hand"].as_u64(),
            s["reserved"].as_u64(),
            s["available"].as_u64()
        ),
        (Some(0), Some(0), Some(0))
    );
}
