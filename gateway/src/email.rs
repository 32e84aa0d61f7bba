//! [`Message`]: an e-mail as `POST /email` takes it, in Postmark's JSON (PascalCase fields),
//! checked field by field; and [`Email`], a message sent, as the outbox keeps and lists it.
//!
//! | Field | Type | |
//! |---|---|---|
//! | `From` | string | required: one address, `a@b.example` or `Name <a@b.example>` |
//! | `To` | string | required: up to 50 such addresses, comma-separated |
//! | `Subject` | string | required, not blank |
//! | `TextBody`, `HtmlBody` | string | at least one not empty |
//! | `Tag` | string | optional |
//! | `MessageStream` | string | optional, default `outbound` |
//! | `Metadata` | object of strings | optional |
//! | `ReplyTo` | string | optional, addresses as in `To` |
//! | `Headers` | array of `{"Name", "Value"}` strings | optional |
//! | `TrackOpens` | bool | optional |
//! | `TrackLinks` | `None`, `HtmlAndText`, `HtmlOnly` or `TextOnly` | optional |
//!
//! `null` is the same as leaving a field out, and so is an empty string for the optional
//! ones. Other fields (`Cc`, `Bcc`, `Attachments`, …) are ignored, as Postmark ignores fields it
//! does not know; the sandbox keeps none of them.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::mailbox;

/// The stream a message goes to when it names none.
pub const DEFAULT_STREAM: &str = "outbound";

const TRACK_LINKS: [&str; 4] = ["None", "HtmlAndText", "HtmlOnly", "TextOnly"];

/// A checked message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub from: String,
    /// `To` as given.
    pub to: String,
    /// The bare addresses in `to`, in order.
    pub recipients: Vec<String>,
    pub subject: String,
    pub tag: Option<String>,
    pub message_stream: String,
    pub metadata: BTreeMap<String, String>,
    pub reply_to: Option<String>,
    /// Extra headers, `(name, value)`, in order.
    pub headers: Vec<(String, String)>,
    pub text_body: Option<String>,
    pub html_body: Option<String>,
    pub track_opens: Option<bool>,
    pub track_links: Option<String>,
}

/// Why a body is not a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// Not JSON, or not a JSON object.
    Json,
    /// A field is missing or wrong: which and why, e.g. `Subject is required.`
    Field(String),
}

impl Message {
    /// Reads and checks a `POST /email` body.
    pub fn parse(body: &[u8]) -> Result<Message, Invalid> {
        let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
            return Err(Invalid::Json);
        };
        Message::from_fields(&fields).map_err(Invalid::Field)
    }

    fn from_fields(fields: &Map<String, Value>) -> Result<Message, String> {
        let from = required(fields, "From")?;
        let senders = mailbox::addresses(&from).map_err(|why| format!("From {why}."))?;
        if senders.len() != 1 {
            return Err("From must be a single address.".to_owned());
        }
        let to = required(fields, "To")?;
        let recipients = mailbox::addresses(&to).map_err(|why| format!("To {why}."))?;
        let subject = required(fields, "Subject")?;
        let text_body = optional(fields, "TextBody")?;
        let html_body = optional(fields, "HtmlBody")?;
        if text_body.is_none() && html_body.is_none() {
            return Err("Provide either TextBody or HtmlBody or both.".to_owned());
        }
        let reply_to = optional(fields, "ReplyTo")?;
        if let Some(reply_to) = &reply_to {
            mailbox::addresses(reply_to).map_err(|why| format!("ReplyTo {why}."))?;
        }
        let track_links = optional(fields, "TrackLinks")?;
        if let Some(track) = track_links.as_deref().filter(|t| !TRACK_LINKS.contains(t)) {
            return Err(format!(
                "TrackLinks must be one of {}, not '{track}'.",
                TRACK_LINKS.join(", ")
            ));
        }
        let track_opens = match fields.get("TrackOpens") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(track)) => Some(*track),
            Some(_) => return Err("TrackOpens must be true or false.".to_owned()),
        };
        Ok(Message {
            from,
            to,
            recipients,
            subject,
            tag: optional(fields, "Tag")?,
            message_stream: optional(fields, "MessageStream")?
                .unwrap_or_else(|| DEFAULT_STREAM.to_owned()),
            metadata: metadata(fields)?,
            reply_to,
            headers: headers(fields)?,
            text_body,
            html_body,
            track_opens,
            track_links,
        })
    }
}

/// A required string field, not blank.
fn required(fields: &Map<String, Value>, name: &str) -> Result<String, String> {
    optional(fields, name)?
        .filter(|value| !value.trim().is_empty())
        .ok_or_else(|| format!("{name} is required."))
}

/// An optional string field: `None` if absent, `null` or empty.
fn optional(fields: &Map<String, Value>, name: &str) -> Result<Option<String>, String> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(value)) if value.is_empty() => Ok(None),
        Some(Value::String(value)) => Ok(Some(value.clone())),
        Some(_) => Err(format!("{name} must be a string.")),
    }
}

fn metadata(fields: &Map<String, Value>) -> Result<BTreeMap<String, String>, String> {
    let entries = match fields.get("Metadata") {
        None | Some(Value::Null) => return Ok(BTreeMap::new()),
        Some(Value::Object(entries)) => entries,
        Some(_) => return Err("Metadata must be an object of strings.".to_owned()),
    };
    entries
        .iter()
        .map(|(key, value)| match value {
            Value::String(text) => Ok((key.clone(), text.clone())),
            _ => Err(format!("Metadata value '{key}' must be a string.")),
        })
        .collect()
}

fn headers(fields: &Map<String, Value>) -> Result<Vec<(String, String)>, String> {
    let list = match fields.get("Headers") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) => list,
        Some(_) => return Err("Headers must be an array of {Name, Value}.".to_owned()),
    };
    list.iter()
        .enumerate()
        .map(|(i, header)| {
            let name = header.get("Name").and_then(Value::as_str).unwrap_or("");
            let value = header.get("Value").and_then(Value::as_str);
            match value {
                Some(value) if !name.trim().is_empty() => Ok((name.to_owned(), value.to_owned())),
                _ => Err(format!(
                    "Headers[{i}] must have a non-empty string Name and a string Value."
                )),
            }
        })
        .collect()
}

/// A message sent: what the outbox keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// Postmark's `MessageID`, a UUID.
    pub id: String,
    /// RFC 3339, UTC.
    pub submitted_at: String,
    pub message: Message,
}

impl Email {
    /// Whether one of the recipients is `address`, ignoring case.
    pub fn is_to(&self, address: &str) -> bool {
        self.message
            .recipients
            .iter()
            .any(|r| r.eq_ignore_ascii_case(address.trim()))
    }

    /// The outbox entry: `{"id", "submitted_at", "from", "to", "subject", "tag",
    /// "message_stream", "metadata", "reply_to", "text_body", "html_body", "headers",
    /// "track_opens", "track_links"}`, absent optional fields as `null` and headers as
    /// `[{"name", "value"}]`.
    pub fn to_json(&self) -> Value {
        let m = &self.message;
        let headers: Vec<Value> = m
            .headers
            .iter()
            .map(|(name, value)| json!({ "name": name, "value": value }))
            .collect();
        json!({
            "id": self.id,
            "submitted_at": self.submitted_at,
            "from": m.from,
            "to": m.to,
            "subject": m.subject,
            "tag": m.tag,
            "message_stream": m.message_stream,
            "metadata": m.metadata,
            "reply_to": m.reply_to,
            "text_body": m.text_body,
            "html_body": m.html_body,
            "headers": headers,
            "track_opens": m.track_opens,
            "track_links": m.track_links,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A complete request body, with `change` applied to its fields.
    pub fn body(change: impl FnOnce(&mut Map<String, Value>)) -> Vec<u8> {
        let mut fields = json!({
            "From": "Shop <shop@sandbox.example>",
            "To": "ada@customer.example",
            "Subject": "Your receipt",
            "TextBody": "Thanks!",
            "HtmlBody": "<p>Thanks!</p>",
        });
        if let Value::Object(map) = &mut fields {
            change(map);
        }
        fields.to_string().into_bytes()
    }

    fn invalid(change: impl FnOnce(&mut Map<String, Value>)) -> String {
        match Message::parse(&body(change)) {
            Err(Invalid::Field(why)) => why,
            other => panic!("expected an invalid field, got {other:?}"),
        }
    }

    #[test]
    fn reads_every_field() {
        let m = Message::parse(&body(|f| {
            f.insert("To".into(), json!("Ada <ada@c.example>, bob@c.example"));
            f.insert("Tag".into(), json!("receipt"));
            f.insert("MessageStream".into(), json!("receipts"));
            f.insert("Metadata".into(), json!({"order_id": "ord_1"}));
            f.insert("ReplyTo".into(), json!("help@sandbox.example"));
            f.insert("Headers".into(), json!([{"Name": "X-Order", "Value": "1"}]));
            f.insert("TrackOpens".into(), json!(true));
            f.insert("TrackLinks".into(), json!("HtmlOnly"));
            f.insert("Attachments".into(), json!([{"Name": "ignored"}]));
        }))
        .unwrap();
        assert_eq!(m.to, "Ada <ada@c.example>, bob@c.example");
        assert_eq!(m.recipients, ["ada@c.example", "bob@c.example"]);
        assert_eq!(m.from, "Shop <shop@sandbox.example>");
        assert_eq!(
            (m.tag.as_deref(), m.message_stream.as_str()),
            (Some("receipt"), "receipts")
        );
        assert_eq!(m.metadata["order_id"], "ord_1");
        assert_eq!(m.reply_to.as_deref(), Some("help@sandbox.example"));
        assert_eq!(m.headers, [("X-Order".to_owned(), "1".to_owned())]);
        assert_eq!(
            (m.track_opens, m.track_links.as_deref()),
            (Some(true), Some("HtmlOnly"))
        );
    }

    #[test]
    fn optional_fields_default() {
        let m = Message::parse(&body(|f| {
            f.remove("HtmlBody");
            f.insert("Tag".into(), json!(""));
            f.insert("Metadata".into(), Value::Null);
        }))
        .unwrap();
        assert_eq!((m.tag, m.html_body), (None, None));
        assert_eq!(m.message_stream, DEFAULT_STREAM);
        assert!(m.metadata.is_empty() && m.headers.is_empty());
        assert_eq!((m.track_opens, m.track_links), (None, None));
    }

    #[test]
    fn refuses_bad_json_and_names_the_wrong_field() {
        for bad in ["", "{", "[]", "\"From\"", "null"] {
            assert_eq!(Message::parse(bad.as_bytes()), Err(Invalid::Json), "{bad}");
        }
        for field in ["From", "To", "Subject"] {
            assert_eq!(
                invalid(|f| drop(f.remove(field))),
                format!("{field} is required.")
            );
            assert_eq!(
                invalid(|f| drop(f.insert(field.into(), json!(" ")))),
                format!("{field} is required.")
            );
            assert_eq!(
                invalid(|f| drop(f.insert(field.into(), json!(7)))),
                format!("{field} must be a string.")
            );
        }
        let none = invalid(|f| {
            f.insert("TextBody".into(), json!(""));
            f.remove("HtmlBody");
        });
        assert_eq!(none, "Provide either TextBody or HtmlBody or both.");
        assert_eq!(
            invalid(|f| drop(f.insert("To".into(), json!("ada")))),
            "To 'ada' is not a valid e-mail address (no '@')."
        );
        assert_eq!(
            invalid(|f| drop(f.insert("From".into(), json!("a@b.co, c@d.co")))),
            "From must be a single address."
        );
        for (field, value, needle) in [
            ("ReplyTo", json!("nope"), "ReplyTo 'nope'"),
            ("Tag", json!(["x"]), "Tag must be a string."),
            ("Metadata", json!({"n": 1}), "Metadata value 'n'"),
            ("Metadata", json!("x"), "Metadata must be an object"),
            ("Headers", json!([{"Name": "", "Value": "v"}]), "Headers[0]"),
            ("Headers", json!({"Name": "X"}), "Headers must be an array"),
            ("TrackOpens", json!("yes"), "TrackOpens must be"),
            ("TrackLinks", json!("Always"), "TrackLinks must be one of"),
        ] {
            let why = invalid(|f| drop(f.insert(field.into(), value)));
            assert!(why.starts_with(needle), "{field}: {why}");
        }
    }

    #[test]
    fn lists_as_the_outbox_shows_it_and_matches_recipients_in_any_case() {
        let message = Message::parse(&body(|f| {
            f.insert("To".into(), json!("Ada <Ada@C.example>, bob@c.example"));
            f.insert("Headers".into(), json!([{"Name": "X-A", "Value": "1"}]));
        }))
        .unwrap();
        let email = Email {
            id: "id-1".into(),
            submitted_at: "2024-01-01T00:00:00.000Z".into(),
            message,
        };
        assert!(email.is_to("ada@c.example") && email.is_to(" BOB@c.example"));
        assert!(!email.is_to("Ada") && !email.is_to("c.example"));
        let listed = email.to_json();
        assert_eq!(listed["id"], "id-1");
        assert_eq!(listed["to"], "Ada <Ada@C.example>, bob@c.example");
        assert_eq!(listed["tag"], Value::Null);
        assert_eq!(listed["message_stream"], "outbound");
        assert_eq!(listed["metadata"], json!({}));
        assert_eq!(listed["headers"], json!([{"name": "X-A", "value": "1"}]));
        assert_eq!(listed["html_body"], "<p>Thanks!</p>");
    }
}
