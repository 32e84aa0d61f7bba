//! The shop's e-mails over a transactional e-mail HTTP API in **Postmark's** shape:
//! `POST {EMAIL_API_BASE}/email` with the server token in `X-Postmark-Server-Token` and a JSON
//! body (`From`, `To`, `Subject`, `TextBody`, `HtmlBody`, `Tag`, `Metadata`, `MessageStream`);
//! a 200 carries the `MessageID`. Locally and in tests the sandbox gateway serves the same API
//! and keeps an outbox (`GET /_sandbox/emails`).
//!
//! Each call is one attempt: the order's object retries by alarm with backoff
//! (`domain::order::notice`).

use crate::config::Config;
use crate::platform;
use domain::order::receipt::Email;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How long one send may take.
const TIMEOUT: Duration = Duration::from_secs(10);

pub struct Mailer {
    base: String,
    token: Option<String>,
    from: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Message<'a> {
    from: &'a str,
    to: &'a str,
    subject: &'a str,
    text_body: &'a str,
    html_body: &'a str,
    tag: &'a str,
    metadata: Metadata<'a>,
    message_stream: &'a str,
}

#[derive(Serialize)]
struct Metadata<'a> {
    order_id: &'a str,
}

#[derive(Deserialize)]
struct Accepted {
    #[serde(rename = "MessageID")]
    message_id: String,
}

#[derive(Deserialize)]
struct Refused {
    #[serde(rename = "Message", default)]
    message: String,
}

impl Mailer {
    pub fn new(config: &Config) -> Self {
        Mailer {
            base: config.email_api_base.clone(),
            token: config.email_api_token.clone(),
            from: config.email_from.clone(),
        }
    }

    /// Sends `email` to `to`, tagged `tag` and with the order's id as metadata: the provider's
    /// message id, or why it was not accepted (for the merchant).
    pub async fn send(
        &self,
        to: &str,
        email: &Email,
        tag: &str,
        order_id: &str,
    ) -> Result<String, String> {
        let token = self
            .token
            .as_deref()
            .ok_or("e-mail is not configured (EMAIL_API_TOKEN is not set)")?;
        let body = serde_json::to_string(&Message {
            from: &self.from,
            to,
            subject: &email.subject,
            text_body: &email.text,
            html_body: &email.html,
            tag,
            metadata: Metadata { order_id },
            message_stream: "outbound",
        })
        .map_err(|e| e.to_string())?;
        let url = format!("{}/email", self.base.trim_end_matches('/'));
        let request = platform::post(
            &url,
            &body,
            &[
                ("accept", "application/json"),
                ("content-type", "application/json"),
                ("x-postmark-server-token", token),
            ],
        )
        .map_err(|e| e.to_string())?;
        let mut resp = platform::fetch_within(request, TIMEOUT)
            .await
            .map_err(|e| match e {
                platform::FetchFailure::Timeout => {
                    "the e-mail service did not answer in time".to_owned()
                }
                platform::FetchFailure::Unreachable(why) => {
                    format!("the e-mail service is unreachable: {why}")
                }
            })?;
        let status = resp.status_code();
        let text = resp.text().await.unwrap_or_default();
        if (200..300).contains(&status) {
            return serde_json::from_str::<Accepted>(&text)
                .map(|a| a.message_id)
                .map_err(|e| {
                    format!("the e-mail service answered {status} without a message id: {e}")
                });
        }
        let why = serde_json::from_str::<Refused>(&text)
            .map(|r| r.message)
            .unwrap_or_default();
        worker::console_error!("e-mail service answered {status}: {text}");
        Err(format!("the e-mail service answered {status}: {why}"))
    }
}
