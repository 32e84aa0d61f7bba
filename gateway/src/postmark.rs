//! `POST /email`: Postmark's "send a single email", for the shop's receipts. Nothing is
//! delivered: an accepted message goes to the in-memory [`crate::outbox`].
//!
//! In order:
//! 1. `X-Postmark-Server-Token` must be the configured token (`--email-token`), compared in
//!    constant time; without one configured, every request is refused. Else **401**.
//! 2. The body must be a JSON object (else **422**, `ErrorCode` 402) holding a valid message,
//!    see [`crate::email`] (else **422**, `ErrorCode` 300, naming the field).
//! 3. An injected fault (`fail_next_emails`, see [`crate::sandbox`]) answers **500** and keeps
//!    nothing.
//! 4. Otherwise **200**, and the message is in the outbox.
//!
//! | Status | Body |
//! |---|---|
//! | 200 | `{"To", "SubmittedAt", "MessageID", "ErrorCode": 0, "Message": "OK"}` |
//! | 401 | `{"ErrorCode": 10, "Message"}` |
//! | 422 | `{"ErrorCode": 402, "Message": "Received invalid JSON input."}` or `{"ErrorCode": 300, "Message": "Invalid email request: …"}` |
//! | 500 | `{"ErrorCode": 500, "Message": "Internal server error (sandbox fault)"}` |
//!
//! `emails_sent` counts the 200s and `emails_failed` the injected 500s; refusals count nowhere.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use crate::email::{Email, Invalid, Message};
use crate::ids::{rfc3339_now, uuid};
use crate::lock;
use crate::reply::Reply;
use crate::request::Request;
use crate::state::App;
use crate::stats::Stats;

/// The header carrying the server token.
pub const TOKEN_HEADER: &str = "x-postmark-server-token";

const MISSING: &str = "No Account or Server API tokens were supplied in the HTTP headers. \
    Please add a header for either X-Postmark-Server-Token or X-Postmark-Account-Token.";
const WRONG: &str = "The Server API token you provided in the header X-Postmark-Server-Token \
    is invalid. Please verify that you are using a valid token.";
const UNCONFIGURED: &str = "This sandbox has no Server API token configured, so it refuses \
    every e-mail: start it with --email-token or EMAIL_API_TOKEN.";

/// An error in Postmark's shape, `{"ErrorCode", "Message"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostmarkError {
    pub status: StatusCode,
    pub code: i64,
    pub message: String,
}

impl PostmarkError {
    fn new(status: StatusCode, code: i64, message: impl Into<String>) -> PostmarkError {
        PostmarkError {
            status,
            code,
            message: message.into(),
        }
    }

    /// 401, `ErrorCode` 10: a missing or wrong token.
    pub fn unauthorized(message: &str) -> PostmarkError {
        PostmarkError::new(StatusCode::UNAUTHORIZED, 10, message)
    }

    /// 422 for a body that is not a message.
    pub fn invalid(why: &Invalid) -> PostmarkError {
        match why {
            Invalid::Json => PostmarkError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                402,
                "Received invalid JSON input.",
            ),
            Invalid::Field(why) => PostmarkError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                300,
                format!("Invalid email request: {why}"),
            ),
        }
    }

    /// 500 from an injected fault.
    pub fn fault() -> PostmarkError {
        PostmarkError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            500,
            "Internal server error (sandbox fault)",
        )
    }

    pub fn reply(&self) -> Reply {
        Reply::json(
            self.status,
            &json!({ "ErrorCode": self.code, "Message": self.message }),
        )
    }
}

/// `POST /email`.
pub async fn send(State(app): State<Arc<App>>, req: Request) -> Reply {
    match accept(&app, &req) {
        Ok(email) => {
            let answer = json!({
                "To": email.message.to,
                "SubmittedAt": email.submitted_at,
                "MessageID": email.id,
                "ErrorCode": 0,
                "Message": "OK",
            });
            app.outbox.push(email);
            Stats::bump(&app.stats.emails_sent);
            Reply::json(StatusCode::OK, &answer)
        }
        Err(error) => error.reply(),
    }
}

/// The e-mail `req` sends, or why it is not sent.
fn accept(app: &App, req: &Request) -> Result<Email, PostmarkError> {
    authorize(app.email_token.as_deref(), req.header(TOKEN_HEADER))?;
    let message = Message::parse(&req.body).map_err(|why| PostmarkError::invalid(&why))?;
    if lock(&app.faults).take_email_failure() {
        eprintln!(
            "sandbox-gateway: injected failure of an e-mail to {}",
            message.to
        );
        Stats::bump(&app.stats.emails_failed);
        return Err(PostmarkError::fault());
    }
    let email = Email {
        id: uuid(),
        submitted_at: rfc3339_now(),
        message,
    };
    eprintln!(
        "sandbox-gateway: e-mailed {} to {}: {:?}",
        email.id, email.message.to, email.message.subject
    );
    Ok(email)
}

/// Checks the server token in constant time.
fn authorize(expected: Option<&str>, given: Option<&str>) -> Result<(), PostmarkError> {
    let given = given.map(str::trim).filter(|token| !token.is_empty());
    match (expected, given) {
        (_, None) => Err(PostmarkError::unauthorized(MISSING)),
        (None, Some(_)) => Err(PostmarkError::unauthorized(UNCONFIGURED)),
        (Some(expected), Some(given)) => {
            if domain::webhook::constant_time_eq(given.as_bytes(), expected.as_bytes()) {
                Ok(())
            } else {
                Err(PostmarkError::unauthorized(WRONG))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::Method;
    use serde_json::Value;

    use super::*;
    use crate::email::tests::body;
    use crate::outbox::Filter;
    use crate::request::tests::request;
    use crate::state::tests::{app, email_app, EMAIL_TOKEN};

    async fn post(app: &Arc<App>, token: Option<&str>, body: &[u8]) -> Reply {
        let headers: Vec<(&str, &str)> = token.map(|t| (TOKEN_HEADER, t)).into_iter().collect();
        let body = std::str::from_utf8(body).unwrap();
        send(
            State(Arc::clone(app)),
            request(Method::POST, "/email", &headers, body),
        )
        .await
    }

    fn error(reply: &Reply) -> (StatusCode, Value, String) {
        let body = reply.json_body();
        let message = body["Message"].as_str().unwrap_or("").to_owned();
        (reply.status, body["ErrorCode"].clone(), message)
    }

    #[tokio::test]
    async fn sends_with_the_token_and_keeps_the_message() {
        let app = email_app();
        let sent = post(&app, Some(EMAIL_TOKEN), &body(|_| {})).await;
        assert_eq!(sent.status, StatusCode::OK);
        let answer = sent.json_body();
        assert_eq!(
            (&answer["To"], &answer["ErrorCode"], &answer["Message"]),
            (&json!("ada@customer.example"), &json!(0), &json!("OK"))
        );
        let kept = app.outbox.list(&Filter::default());
        assert_eq!(kept.len(), 1);
        assert_eq!(answer["MessageID"], kept[0].id.as_str());
        assert_eq!(answer["SubmittedAt"], kept[0].submitted_at.as_str());
        assert_eq!(app.stats.to_json()["emails_sent"], 1);
    }

    #[tokio::test]
    async fn refuses_missing_wrong_and_unconfigured_tokens_before_reading_the_body() {
        let open = email_app();
        for (token, message) in [
            (None, MISSING),
            (Some(" "), MISSING),
            (Some("pm_wrong"), WRONG),
            (Some("pm_test_toke"), WRONG),
        ] {
            let refused = post(&open, token, b"not json").await;
            let expected = (StatusCode::UNAUTHORIZED, json!(10), message.to_owned());
            assert_eq!(error(&refused), expected, "{token:?}");
        }
        let closed = app();
        let refused = post(&closed, Some(EMAIL_TOKEN), &body(|_| {})).await;
        assert_eq!(
            error(&refused),
            (StatusCode::UNAUTHORIZED, json!(10), UNCONFIGURED.to_owned())
        );
        assert_eq!(error(&post(&closed, None, b"").await).2, MISSING);
        for app in [open, closed] {
            assert!(app.outbox.list(&Filter::default()).is_empty());
            let stats = app.stats.to_json();
            assert_eq!(
                (&stats["emails_sent"], &stats["emails_failed"]),
                (&json!(0), &json!(0))
            );
        }
    }

    #[tokio::test]
    async fn refuses_invalid_messages_with_422() {
        let app = email_app();
        let bad_json = post(&app, Some(EMAIL_TOKEN), b"{\"From\": ").await;
        assert_eq!(
            error(&bad_json),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!(402),
                "Received invalid JSON input.".to_owned()
            )
        );
        let no_subject = post(
            &app,
            Some(EMAIL_TOKEN),
            &body(|f| drop(f.remove("Subject"))),
        )
        .await;
        assert_eq!(
            error(&no_subject),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!(300),
                "Invalid email request: Subject is required.".to_owned()
            )
        );
        assert!(app.outbox.list(&Filter::default()).is_empty());
    }

    #[tokio::test]
    async fn injected_faults_fail_valid_sends_only_and_keep_nothing() {
        let app = email_app();
        lock(&app.faults).fail_next_emails = 1;
        let invalid = post(&app, Some(EMAIL_TOKEN), b"[]").await;
        assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
        let failed = post(&app, Some(EMAIL_TOKEN), &body(|_| {})).await;
        assert_eq!(
            error(&failed),
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                json!(500),
                "Internal server error (sandbox fault)".to_owned()
            )
        );
        assert!(app.outbox.list(&Filter::default()).is_empty());
        assert_eq!(lock(&app.faults).fail_next_emails, 0);
        let sent = post(&app, Some(EMAIL_TOKEN), &body(|_| {})).await;
        assert_eq!(sent.status, StatusCode::OK);
        let stats = app.stats.to_json();
        assert_eq!(
            (&stats["emails_sent"], &stats["emails_failed"]),
            (&json!(1), &json!(1))
        );
    }
}
