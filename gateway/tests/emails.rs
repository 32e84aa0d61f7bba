//! End-to-end: the Postmark-shaped e-mail sandbox, driven over HTTP as the shop's Worker drives
//! it — `POST /email` with a server token: what it accepts and keeps, what it refuses, and the
//! injected failures. The outbox's filters and pages are in `outbox.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::email::{
    get, is_uuid_v4, listed, post, post_raw, receipt, started_without_token, NO_HOOKS,
};
use common::{gateway, sandbox, EMAIL_TOKEN};
use sandbox_gateway::ids::rfc3339_now;
use serde_json::{json, Value};

#[tokio::test]
async fn sends_an_email_and_the_outbox_keeps_it() {
    let running = gateway(NO_HOOKS).await;
    let base = running.base_url.clone();
    let before = rfc3339_now();
    let (status, answer) = post(
        &base,
        &receipt(
            "ada@customer.example",
            json!({"Tag": "receipt", "Metadata": {"order_id": "ord_1"},
                   "ReplyTo": "help@sandbox.example", "TrackOpens": true,
                   "Headers": [{"Name": "X-Order", "Value": "ord_1"}],
                   "SomethingPostmarkIgnores": 1}),
        ),
    )
    .await;
    let after = rfc3339_now();
    assert_eq!(status, 200, "{answer}");
    let id = answer["MessageID"].as_str().unwrap().to_owned();
    let at = answer["SubmittedAt"].as_str().unwrap().to_owned();
    assert!(is_uuid_v4(&id), "{id}");
    // Fixed-width RFC 3339 in UTC, so text order is time order.
    assert!(
        at.len() == 24 && at.ends_with('Z') && &at[10..11] == "T",
        "{at}"
    );
    assert!(before <= at && at <= after, "{before} <= {at} <= {after}");
    assert_eq!(
        answer,
        json!({"To": "ada@customer.example", "SubmittedAt": at, "MessageID": id,
               "ErrorCode": 0, "Message": "OK"})
    );

    assert_eq!(
        get(&base, "emails").await,
        json!([{
            "id": id, "submitted_at": at,
            "from": "Sandbox Shop <shop@sandbox.example>", "to": "ada@customer.example",
            "subject": "Your receipt", "tag": "receipt", "message_stream": "outbound",
            "metadata": {"order_id": "ord_1"}, "reply_to": "help@sandbox.example",
            "text_body": "Thank you for your order.",
            "html_body": "<p>Thank you for your order.</p>",
            "headers": [{"name": "X-Order", "value": "ord_1"}],
            "track_opens": true, "track_links": null,
        }])
    );

    // Two recipients, one with a name, kept as given; a stream of its own; no HTML.
    let to = "Ada Lovelace <ada@customer.example>, bob@customer.example";
    let (status, second) = post(
        &base,
        &receipt(to, json!({"HtmlBody": null, "MessageStream": "receipts"})),
    )
    .await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["To"], to);
    assert_ne!(second["MessageID"], id.as_str());
    let emails = get(&base, "emails").await;
    let emails = emails.as_array().unwrap();
    assert_eq!(emails.len(), 2);
    assert_eq!(emails[0]["id"], id.as_str(), "oldest first");
    assert_eq!(emails[1]["to"], to);
    assert_eq!(emails[1]["message_stream"], "receipts");
    assert_eq!(
        (
            &emails[1]["tag"],
            &emails[1]["html_body"],
            &emails[1]["metadata"]
        ),
        (&Value::Null, &Value::Null, &json!({}))
    );
    let stats = get(&base, "stats").await;
    assert_eq!(
        (&stats["emails_sent"], &stats["emails_failed"]),
        (&json!(2), &json!(0))
    );
    running.shutdown().await;
}

#[tokio::test]
async fn refuses_missing_and_wrong_tokens_and_every_token_when_none_is_configured() {
    let running = gateway(NO_HOOKS).await;
    let base = running.base_url.clone();
    let body = receipt("ada@customer.example", json!({})).to_string();
    let (status, missing) = post_raw(&base, None, &body).await;
    assert_eq!((status, &missing["ErrorCode"]), (401, &json!(10)));
    assert_eq!(
        missing["Message"],
        "No Account or Server API tokens were supplied in the HTTP headers. Please add a \
         header for either X-Postmark-Server-Token or X-Postmark-Account-Token."
    );
    for wrong in ["pm_wrong", "pm_sandbox_toke", "pm_sandbox_token2"] {
        let (status, answer) = post_raw(&base, Some(wrong), &body).await;
        assert_eq!((status, &answer["ErrorCode"]), (401, &json!(10)), "{wrong}");
        let message = answer["Message"].as_str().unwrap();
        assert!(
            message.starts_with(
                "The Server API token you provided in the header X-Postmark-Server-Token \
                 is invalid"
            ),
            "{message}"
        );
    }
    // The token is checked before the body.
    let (status, _) = post_raw(&base, Some("pm_wrong"), "not json").await;
    assert_eq!(status, 401);
    assert_eq!(listed(&base, "").await, Vec::<String>::new());
    running.shutdown().await;

    let closed = started_without_token().await;
    let base = closed.base_url.clone();
    for token in [Some(EMAIL_TOKEN), Some("anything"), None] {
        let (status, answer) = post_raw(&base, token, &body).await;
        assert_eq!(
            (status, &answer["ErrorCode"]),
            (401, &json!(10)),
            "{token:?}"
        );
    }
    assert_eq!(listed(&base, "").await, Vec::<String>::new());
    let stats = get(&base, "stats").await;
    assert_eq!(
        (&stats["emails_sent"], &stats["emails_failed"]),
        (&json!(0), &json!(0))
    );
    closed.shutdown().await;
}

#[tokio::test]
async fn refuses_invalid_json_and_each_missing_or_wrong_field_with_422() {
    let running = gateway(NO_HOOKS).await;
    let base = running.base_url.clone();
    for bad in [
        "",
        "{",
        "not json",
        "[1]",
        "{\"From\": \"shop@sandbox.example\",}",
    ] {
        let (status, answer) = post_raw(&base, Some(EMAIL_TOKEN), bad).await;
        assert_eq!(
            (status, answer),
            (
                422,
                json!({"ErrorCode": 402, "Message": "Received invalid JSON input."})
            ),
            "{bad:?}"
        );
    }
    let cases = [
        (json!({"From": null}), "From is required."),
        (json!({"To": null}), "To is required."),
        (json!({"Subject": null}), "Subject is required."),
        (json!({"Subject": "  "}), "Subject is required."),
        (
            json!({"TextBody": null, "HtmlBody": ""}),
            "Provide either TextBody or HtmlBody or both.",
        ),
        (
            json!({"To": "ada"}),
            "To 'ada' is not a valid e-mail address (no '@').",
        ),
        (
            json!({"To": "ada@customer.example, Bob <bob@customer>"}),
            "To 'Bob <bob@customer>' is not a valid e-mail address (a domain without a dot).",
        ),
        (
            json!({"From": "Shop"}),
            "From 'Shop' is not a valid e-mail address (no '@').",
        ),
        (json!({"Tag": 5}), "Tag must be a string."),
        (
            json!({"Metadata": {"order_id": 1}}),
            "Metadata value 'order_id' must be a string.",
        ),
    ];
    for (change, why) in cases {
        let mut body = receipt("ada@customer.example", json!({}));
        for (field, value) in change.as_object().unwrap() {
            if value.is_null() {
                body.as_object_mut().unwrap().remove(field);
            } else {
                body[field] = value.clone();
            }
        }
        let (status, answer) = post(&base, &body).await;
        assert_eq!(status, 422, "{change}");
        assert_eq!(
            answer,
            json!({"ErrorCode": 300, "Message": format!("Invalid email request: {why}")}),
            "{change}"
        );
    }
    assert_eq!(listed(&base, "").await, Vec::<String>::new());
    let stats = get(&base, "stats").await;
    assert_eq!(
        (&stats["emails_sent"], &stats["emails_failed"]),
        (&json!(0), &json!(0))
    );
    running.shutdown().await;
}

#[tokio::test]
async fn fail_next_emails_fails_valid_sends_then_lets_them_through() {
    let running = gateway(NO_HOOKS).await;
    let base = running.base_url.clone();
    let settings = sandbox(&base, "faults", r#"{"fail_next_emails": 2}"#).await;
    assert_eq!(settings["fail_next_emails"], 2);
    assert_eq!(settings["fail_next_creates"], 0, "other faults unchanged");
    // Refusals do not use up a failure.
    let (status, _) = post(&base, &receipt("nope", json!({}))).await;
    assert_eq!(status, 422);
    let (status, _) = post_raw(&base, None, "{}").await;
    assert_eq!(status, 401);
    assert_eq!(sandbox(&base, "faults", "{}").await["fail_next_emails"], 2);

    for left in [1, 0] {
        let (status, answer) = post(&base, &receipt("ada@customer.example", json!({}))).await;
        assert_eq!(
            (status, answer),
            (
                500,
                json!({"ErrorCode": 500, "Message": "Internal server error (sandbox fault)"})
            )
        );
        assert_eq!(
            sandbox(&base, "faults", "{}").await["fail_next_emails"],
            left
        );
    }
    assert_eq!(
        listed(&base, "").await,
        Vec::<String>::new(),
        "failed sends are not kept"
    );
    let (status, answer) = post(
        &base,
        &receipt("ada@customer.example", json!({"Subject": "Third time"})),
    )
    .await;
    assert_eq!(status, 200);
    let emails = get(&base, "emails").await;
    assert_eq!(emails.as_array().unwrap().len(), 1);
    assert_eq!(emails[0]["id"], answer["MessageID"]);
    assert_eq!(emails[0]["subject"], "Third time");
    let stats = get(&base, "stats").await;
    assert_eq!(
        (&stats["emails_sent"], &stats["emails_failed"]),
        (&json!(1), &json!(2))
    );

    sandbox(&base, "faults", r#"{"fail_next_emails": 5}"#).await;
    let reset = sandbox(&base, "reset", "").await;
    assert_eq!(reset["fail_next_emails"], 0);
    let (status, _) = post(&base, &receipt("ada@customer.example", json!({}))).await;
    assert_eq!(status, 200, "reset turned the fault off");
    assert_eq!(listed(&base, "").await.len(), 2, "reset keeps the outbox");
    running.shutdown().await;
}
