//! End-to-end: the outbox of the e-mail sandbox as tests and people read it under
//! `/_sandbox/`: `GET /_sandbox/emails` and its filters, `DELETE /_sandbox/emails`, and the
//! pages at `/_sandbox/outbox`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::email::{get, listed, page, post, receipt, NO_HOOKS};
use common::{client, gateway};
use serde_json::{json, Value};

#[tokio::test]
async fn the_outbox_filters_by_recipient_and_tag() {
    let running = gateway(NO_HOOKS).await;
    let base = running.base_url.clone();
    let mut ids = Vec::new();
    for (to, tag) in [
        (
            "Ada Lovelace <Ada@Customer.example>, bob@customer.example",
            json!("receipt"),
        ),
        ("bob@customer.example", json!("welcome")),
        ("\"Carol, C.\" <carol+shop@customer.example>", Value::Null),
    ] {
        let (status, answer) = post(&base, &receipt(to, json!({ "Tag": tag }))).await;
        assert_eq!(status, 200, "{answer}");
        ids.push(answer["MessageID"].as_str().unwrap().to_owned());
    }
    let [first, second, third] = [0, 1, 2].map(|i| ids[i].as_str());
    assert_eq!(listed(&base, "").await, ids);
    assert_eq!(listed(&base, "?to=ada@customer.example").await, [first]);
    assert_eq!(
        listed(&base, "?to=BOB%40customer.EXAMPLE").await,
        [first, second]
    );
    assert_eq!(listed(&base, "?tag=receipt").await, [first]);
    assert_eq!(listed(&base, "?tag=Receipt").await, Vec::<String>::new());
    assert_eq!(
        listed(&base, "?to=bob@customer.example&tag=welcome").await,
        [second]
    );
    // A `+` is part of the address, whether sent as is or encoded.
    assert_eq!(
        listed(&base, "?to=carol+shop@customer.example").await,
        [third]
    );
    assert_eq!(
        listed(&base, "?to=carol%2Bshop%40customer.example").await,
        [third]
    );
    // Only whole addresses match, not names or domains.
    for query in [
        "?to=Ada+Lovelace",
        "?to=customer.example",
        "?to=nobody@x.io",
    ] {
        assert_eq!(listed(&base, query).await, Vec::<String>::new(), "{query}");
    }
    running.shutdown().await;
}

#[tokio::test]
async fn delete_empties_the_outbox() {
    let running = gateway(NO_HOOKS).await;
    let base = running.base_url.clone();
    for to in ["ada@customer.example", "bob@customer.example"] {
        assert_eq!(post(&base, &receipt(to, json!({}))).await.0, 200);
    }
    let delete = || async {
        let reply = client()
            .delete(format!("{base}/_sandbox/emails"))
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 200);
        reply.json::<Value>().await.unwrap()
    };
    assert_eq!(delete().await, json!({"deleted": 2}));
    assert_eq!(get(&base, "emails").await, json!([]));
    assert_eq!(delete().await, json!({"deleted": 0}));
    assert_eq!(get(&base, "stats").await["emails_sent"], 2, "counters stay");
    let (status, _) = post(&base, &receipt("carol@customer.example", json!({}))).await;
    assert_eq!(status, 200);
    assert_eq!(listed(&base, "").await.len(), 1);
    running.shutdown().await;
}

#[tokio::test]
async fn the_outbox_pages_list_and_show_messages_escaped() {
    let running = gateway(NO_HOOKS).await;
    let base = running.base_url.clone();
    let (status, content_type, empty) = page(&base, "/_sandbox/outbox").await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "text/html; charset=utf-8")
    );
    assert!(empty.contains("The outbox is empty") && !empty.contains("<table"));

    let (_, plain) = post(
        &base,
        &receipt("ada@customer.example", json!({"Tag": "receipt"})),
    )
    .await;
    let (_, hostile) = post(
        &base,
        &receipt(
            "Eve <eve@customer.example>",
            json!({"Subject": "<script>alert('subject')</script> & co",
                   "TextBody": "Line 1\n<script>alert(\"text\")</script>",
                   "HtmlBody": "<p class=\"x\">Hi</p><script>alert('html')</script>",
                   "Metadata": {"order_id": "<ord_2>"}, "Tag": "<b>tag</b>"}),
        ),
    )
    .await;
    let (plain_id, hostile_id) = (
        plain["MessageID"].as_str().unwrap(),
        hostile["MessageID"].as_str().unwrap(),
    );

    let (status, _, list) = page(&base, "/_sandbox/outbox").await;
    assert_eq!(status, 200);
    assert!(
        !list.contains("<script>") && !list.contains("<b>tag"),
        "{list}"
    );
    let hostile_link = format!(
        "<a href=\"/_sandbox/outbox/{hostile_id}\">&lt;script&gt;alert(&#39;subject&#39;)\
         &lt;/script&gt; &amp; co</a>"
    );
    let plain_link = format!("<a href=\"/_sandbox/outbox/{plain_id}\">Your receipt</a>");
    let (at_hostile, at_plain) = (
        list.find(&hostile_link).expect("hostile link"),
        list.find(&plain_link).expect("plain link"),
    );
    assert!(at_hostile < at_plain, "newest first");
    assert!(list.contains("<td>Eve &lt;eve@customer.example&gt;</td>"));
    assert!(list.contains("<td>&lt;b&gt;tag&lt;/b&gt;</td>") && list.contains("<td>receipt</td>"));

    let (status, content_type, one) = page(&base, &format!("/_sandbox/outbox/{hostile_id}")).await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "text/html; charset=utf-8")
    );
    assert!(!one.contains("<script>"), "{one}");
    assert!(one.contains("<dt>From</dt><dd>Sandbox Shop &lt;shop@sandbox.example&gt;</dd>"));
    assert!(one.contains("<dt>To</dt><dd>Eve &lt;eve@customer.example&gt;</dd>"));
    assert!(one.contains(
        "<dt>Subject</dt><dd>&lt;script&gt;alert(&#39;subject&#39;)&lt;/script&gt; &amp; co</dd>"
    ));
    assert!(one.contains("<dt>Tag</dt><dd>&lt;b&gt;tag&lt;/b&gt;</dd>"));
    assert!(one.contains("<li>order_id: &lt;ord_2&gt;</li>"));
    assert!(one.contains("<pre>Line 1\n&lt;script&gt;alert(&quot;text&quot;)&lt;/script&gt;</pre>"));
    assert!(one.contains(
        "<iframe sandbox srcdoc=\"&lt;p class=&quot;x&quot;&gt;Hi&lt;/p&gt;\
         &lt;script&gt;alert(&#39;html&#39;)&lt;/script&gt;\""
    ));
    assert!(one.contains("href=\"/_sandbox/outbox\""));

    for unknown in [
        "/_sandbox/outbox/0b1c7e4a-5d3f-4e2a-9c61-2f8d0a7b3e95",
        "/_sandbox/outbox/",
    ] {
        let (status, content_type, missing) = page(&base, unknown).await;
        assert_eq!(
            (status, content_type.as_str()),
            (404, "text/html; charset=utf-8"),
            "{unknown}"
        );
        assert!(missing.contains("<h1>Message not found</h1>"), "{unknown}");
    }
    running.shutdown().await;
}
