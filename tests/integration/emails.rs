//! The shopper's e-mails (issue 12): one receipt per paid order however often the payment is
//! reported, one "on its way" per fulfilment, sent through the sandbox's Postmark-shaped API
//! and read back from its outbox; a failed send retried with backoff, visibly to the merchant.

use crate::checkout::wait_status;
use integration_tests::{
    deliver_webhook, eventually, pay, sandbox, server, Client, Gateway, Options, Stack, ADMIN_TOKEN,
};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

const MUG: &str = "ENAMEL-CAMP-MUG-CREAM";
const WAIT: Duration = Duration::from_secs(30);

/// The messages the sandbox accepted for `to`, with `tag`.
async fn outbox(gateway: &Gateway, to: &str, tag: &str) -> Vec<Value> {
    let path = format!("/_sandbox/emails?to={to}&tag={tag}");
    let all = sandbox(gateway, Method::GET, &path, None).await;
    all.as_array().cloned().unwrap_or_default()
}

/// Waits for the first message to `to` tagged `tag`, then gives duplicates time to show up:
/// all of them.
async fn settled(gateway: &Gateway, to: &str, tag: &str) -> Vec<Value> {
    eventually(&format!("a {tag} e-mail to {to}"), WAIT, || async {
        let found = outbox(gateway, to, tag).await;
        (!found.is_empty()).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    outbox(gateway, to, tag).await
}

/// A paid order for a shopper of its own (a fresh e-mail address): its id and the address.
async fn paid_order(base: &str, gateway: &Gateway, merchant: &Client) -> (String, String) {
    merchant.set_stock(MUG, 50).await;
    let c = Client::shopper_of(base);
    c.add(MUG, 2).await;
    let r = c
        .post_json("/api/cart/shipping", &json!({"country": "DE"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let email = format!("buyer-{}@example.com", rand_suffix());
    let r = c
        .post_json("/api/checkout", &json!({ "email": email }))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["order_id"].as_str().expect("id").to_owned();
    pay(gateway, &id).await;
    wait_status(&c, &id, "paid").await;
    (id, email)
}

fn rand_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{nanos:x}")
}

async fn admin_order(merchant: &Client, id: &str) -> Value {
    let r = merchant
        .send(
            merchant
                .request(Method::GET, &format!("/admin/api/orders/{id}"))
                .bearer_auth(ADMIN_TOKEN),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

#[tokio::test]
async fn a_payment_reported_five_times_sends_one_receipt_and_a_fulfilment_one_notice() {
    let stack = server();
    let gateway = &stack.gateway;
    let merchant = Client::new();
    let (id, email) = paid_order(&stack.base, gateway, &merchant).await;

    // The gateway delivered the completion once; deliver the same event four more times.
    let events = sandbox(gateway, Method::GET, "/_sandbox/events", None).await;
    let event = events
        .as_array()
        .and_then(|a| {
            a.iter().find(|e| {
                e["type"] == "checkout.session.completed"
                    && e["data"]["object"]["metadata"]["order_id"] == id.as_str()
            })
        })
        .cloned()
        .unwrap_or_else(|| panic!("no completion event for {id}"));
    let body = serde_json::to_vec(&event).expect("event");
    for _ in 0..4 {
        let r = deliver_webhook(&merchant, &body).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }

    let receipts = settled(gateway, &email, "receipt").await;
    assert_eq!(receipts.len(), 1, "exactly one receipt: {receipts:#?}");
    let receipt = &receipts[0];
    assert_eq!(receipt["metadata"]["order_id"], id.as_str());
    let subject = receipt["subject"].as_str().unwrap_or_default();
    assert!(subject.contains("receipt"), "{subject}");
    let text = receipt["text_body"].as_str().unwrap_or_default();
    let html = receipt["html_body"].as_str().unwrap_or_default();
    for part in ["2 × ", "Total: €", "Shipping", &format!("/orders/{id}")] {
        assert!(text.contains(part), "{part:?} in {text}");
    }
    assert!(text.contains("Sandbox Shopper"), "the address: {text}");
    assert!(html.contains(&format!("/orders/{id}\"")), "{html}");

    let o = admin_order(&merchant, &id).await;
    assert_eq!(o["notices"][0]["kind"], "receipt", "{o}");
    assert_eq!(o["notices"][0]["state"], "sent");
    assert_eq!(o["notices"][0]["message_id"], receipt["id"]);

    // Fulfilling twice sends one "on its way".
    for _ in 0..2 {
        let r = merchant
            .send(
                merchant
                    .request(Method::POST, &format!("/admin/api/orders/{id}/fulfil"))
                    .bearer_auth(ADMIN_TOKEN),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let shipped = settled(gateway, &email, "shipped").await;
    assert_eq!(shipped.len(), 1, "{shipped:#?}");
    assert!(shipped[0]["subject"]
        .as_str()
        .unwrap_or_default()
        .contains("on its way"));
    assert_eq!(outbox(gateway, &email, "receipt").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_send_is_retried_with_backoff_and_the_merchant_sees_it() {
    // Its own stack: the e-mail fault would hit every other test's receipts.
    let stack = tokio::task::spawn_blocking(|| {
        Stack::start(Options::default()).unwrap_or_else(|e| panic!("{e}"))
    })
    .await
    .expect("start");
    let gateway = &stack.gateway;
    let merchant = stack.client();
    sandbox(
        gateway,
        Method::POST,
        "/_sandbox/faults",
        Some(json!({"fail_next_emails": 2})),
    )
    .await;
    let (id, email) = paid_order(&stack.base, gateway, &merchant).await;

    // The first attempt fails at once: the merchant sees it retrying, with the reason.
    let o = eventually("a failed first attempt", WAIT, || async {
        let o = admin_order(&merchant, &id).await;
        (o["notices"][0]["attempts"].as_u64() >= Some(1)
            && o["notices"][0]["last_error"].is_string())
        .then_some(o)
    })
    .await;
    assert!(
        o["notices"][0]["last_error"]
            .as_str()
            .unwrap_or_default()
            .contains("500"),
        "{o}"
    );
    let r = merchant
        .send(
            merchant
                .request(Method::GET, "/admin/api/orders?limit=100")
                .bearer_auth(ADMIN_TOKEN),
        )
        .await;
    let row = r.json()["orders"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["id"] == id.as_str()).cloned())
        .expect("listed");
    assert!(
        row["mail"] == "retrying" || row["mail"] == "sent",
        "the list shows the e-mail's state: {row}"
    );

    // Retried after 1 s, then 4 s: the third attempt goes through, once.
    let receipts = settled(gateway, &email, "receipt").await;
    assert_eq!(receipts.len(), 1, "{receipts:#?}");
    let o = admin_order(&merchant, &id).await;
    assert_eq!(o["notices"][0]["state"], "sent", "{o}");
    assert_eq!(o["notices"][0]["attempts"], 3, "{o}");
    let stats = sandbox(gateway, Method::GET, "/_sandbox/stats", None).await;
    assert_eq!(stats["emails_failed"], 2, "{stats}");
}
