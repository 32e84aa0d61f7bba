//! End-to-end: the gateway on a free port, driven over HTTP, delivering webhooks to a tiny
//! local receiver whose signatures are checked with `domain::webhook::verify`.

// clippy.toml allows these in `#[test]` functions only; helpers are test code too, and a
// failed unwrap in them is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::{Command, Stdio};

use common::{
    client, create, gateway, sandbox, session_form, Receiver, SECRET_KEY, WEBHOOK_SECRET,
};
use serde_json::Value;

#[tokio::test]
async fn create_pay_and_receive_a_signed_webhook() {
    let mut receiver = Receiver::start(&[]).await;
    let running = gateway(&receiver.url).await;
    let base = running.base_url.clone();
    let http = client();

    let session = create(&base, session_form("ord_1", "")).await;
    let id = session["id"].as_str().unwrap().to_owned();
    assert_eq!(session["url"], format!("{base}/pay/{id}"));
    assert_eq!(session["amount_total"], 2500);

    let page = http.get(format!("{base}/pay/{id}")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("25.00 EUR") && html.contains("<label for=\"card_number\">"));

    let paid = http
        .post(format!("{base}/pay/{id}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("card_number=4242+4242+4242+4242&expiry=12%2F34&cvc=123")
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), 303);
    assert_eq!(
        paid.headers()["location"],
        format!("http://127.0.0.1:8787/thanks?session={id}")
    );

    let delivery = receiver.next().await;
    delivery.assert_signed();
    let event = delivery.json();
    assert!(event["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(event["type"], "checkout.session.completed");
    assert_eq!(event["data"]["object"]["id"], id.as_str());
    assert_eq!(event["data"]["object"]["payment_status"], "paid");
    assert_eq!(event["data"]["object"]["metadata"]["order_id"], "ord_1");

    let fetched: Value = http
        .get(format!("{base}/v1/checkout/sessions/{id}"))
        .bearer_auth(SECRET_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(fetched["status"], "complete");
    assert!(fetched["payment_intent"]
        .as_str()
        .unwrap()
        .starts_with("pi_test_"));
    let unauthorised = http
        .get(format!("{base}/v1/checkout/sessions/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorised.status(), 401);

    // Paying again redirects without a second event.
    let again = http
        .post(format!("{base}/pay/{id}"))
        .body("card_number=4242424242424242")
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 303);
    receiver.assert_quiet().await;
    let stats: Value = http
        .get(format!("{base}/_sandbox/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["sessions_created"], 1);
    assert_eq!(stats["webhooks_sent"], 1);
    running.shutdown().await;
}

#[tokio::test]
async fn expiry_retries_holding_flushing_and_duplicates() {
    // The first delivery is refused, so the expiry event is retried.
    let mut receiver = Receiver::start(&[500]).await;
    let running = gateway(&receiver.url).await;
    let base = running.base_url.clone();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();

    // Due at once: the ticker expires it within a tick.
    let expiring = create(&base, session_form("ord_x", &format!("&expires_at={now}"))).await;
    let (refused, retried) = (receiver.next().await, receiver.next().await);
    refused.assert_signed();
    retried.assert_signed();
    assert_eq!(retried.json()["type"], "checkout.session.expired");
    assert_eq!(retried.json()["data"]["object"]["id"], expiring["id"]);
    assert_eq!(
        retried.json(),
        refused.json(),
        "a retry resends the same event"
    );
    let paid_late = client()
        .post(format!("{base}/pay/{}", expiring["id"].as_str().unwrap()))
        .body("card_number=4242424242424242");
    assert_eq!(paid_late.send().await.unwrap().status(), 410);

    // Held events go out on flush, here newest first.
    let settings = sandbox(&base, "faults", r#"{"hold_webhooks": true}"#).await;
    assert_eq!(settings["hold_webhooks"], true);
    let first = create(&base, session_form("ord_a", "")).await;
    let second = create(&base, session_form("ord_b", "")).await;
    for session in [&first, &second] {
        let done = sandbox(
            &base,
            &format!("sessions/{}/complete", session["id"].as_str().unwrap()),
            "",
        )
        .await;
        assert_eq!(done["status"], "complete");
    }
    receiver.assert_quiet().await;
    assert_eq!(sandbox(&base, "faults", "{}").await["held_webhooks"], 2);
    let flushed = sandbox(&base, "webhooks/flush", r#"{"order": "reverse"}"#).await;
    assert_eq!(flushed["delivered"], 2);
    let order: Vec<Value> = vec![receiver.next().await.json(), receiver.next().await.json()];
    assert_eq!(order[0]["data"]["object"]["id"], second["id"]);
    assert_eq!(order[1]["data"]["object"]["id"], first["id"]);

    // Duplicated delivery: the same event twice.
    sandbox(
        &base,
        "faults",
        r#"{"hold_webhooks": false, "duplicate_webhooks": true}"#,
    )
    .await;
    let third = create(&base, session_form("ord_c", "")).await;
    sandbox(
        &base,
        &format!("sessions/{}/complete", third["id"].as_str().unwrap()),
        "",
    )
    .await;
    let (a, b) = (receiver.next().await.json(), receiver.next().await.json());
    assert_eq!(a["id"], b["id"]);
    assert_eq!(a["data"]["object"]["id"], third["id"]);

    let stats: Value = client()
        .get(format!("{base}/_sandbox/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["webhooks_failed"], 1);
    assert_eq!(stats["create_requests"], 4);
    let events: Value = client()
        .get(format!("{base}/_sandbox/events"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(events.as_array().unwrap().len(), 4);
    running.shutdown().await;
}

#[test]
fn the_binary_announces_its_address_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sandbox-gateway"))
        .args(["--port", "0", "--webhook-url", "http://127.0.0.1:9/hook"])
        .env("PAYMENT_WEBHOOK_SECRET", WEBHOOK_SECRET)
        .env("PAYMENT_SECRET_KEY", SECRET_KEY)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .trim_end()
        .strip_prefix("sandbox-gateway listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    let port: u16 = address.parse().unwrap();
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let health = std::net::TcpStream::connect(addr);
    assert!(health.is_ok(), "nothing listens on {addr}");
    drop(health);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}
