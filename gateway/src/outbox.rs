//! [`Outbox`]: every e-mail `POST /email` accepted, in memory, oldest first, for the
//! `/_sandbox/emails` and `/_sandbox/outbox` controls; and the [`Filter`] of their queries.

use std::sync::Mutex;

use crate::email::Email;
use crate::lock;

/// The e-mails sent, oldest first.
#[derive(Debug, Default)]
pub struct Outbox {
    emails: Mutex<Vec<Email>>,
}

impl Outbox {
    pub fn push(&self, email: Email) {
        lock(&self.emails).push(email);
    }

    /// The e-mails `filter` lets through, oldest first.
    pub fn list(&self, filter: &Filter) -> Vec<Email> {
        lock(&self.emails)
            .iter()
            .filter(|email| filter.matches(email))
            .cloned()
            .collect()
    }

    /// The e-mail whose `MessageID` is `id`.
    pub fn get(&self, id: &str) -> Option<Email> {
        lock(&self.emails).iter().find(|e| e.id == id).cloned()
    }

    /// Empties the outbox; returns how many e-mails it held.
    pub fn clear(&self) -> usize {
        std::mem::take(&mut *lock(&self.emails)).len()
    }
}

/// Which e-mails a listing shows: `?to=<address>` (any recipient, ignoring case) and
/// `?tag=<tag>` (exactly), both if both are given. An empty value filters nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub to: Option<String>,
    pub tag: Option<String>,
}

impl Filter {
    /// The filter in a query string (other parameters are ignored). Percent escapes are
    /// decoded, but a `+` stands for itself, as addresses may hold one (`ada+shop@…`).
    pub fn from_query(query: Option<&str>) -> Filter {
        let query = query.unwrap_or("").replace('+', "%2B");
        let mut filter = Filter::default();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let value = Some(value.into_owned()).filter(|v| !v.is_empty());
            match &*name {
                "to" => filter.to = value,
                "tag" => filter.tag = value,
                _ => {}
            }
        }
        filter
    }

    pub fn matches(&self, email: &Email) -> bool {
        let to = self.to.as_deref().is_none_or(|to| email.is_to(to));
        let tag = self
            .tag
            .as_deref()
            .is_none_or(|tag| email.message.tag.as_deref() == Some(tag));
        to && tag
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::email::tests::body;
    use crate::email::Message;

    fn email(id: &str, to: &str, tag: Option<&str>) -> Email {
        let message = Message::parse(&body(|f| {
            f.insert("To".into(), json!(to));
            f.insert("Tag".into(), json!(tag));
        }))
        .unwrap();
        Email {
            id: id.into(),
            submitted_at: "2024-01-01T00:00:00.000Z".into(),
            message,
        }
    }

    fn ids(emails: &[Email]) -> Vec<&str> {
        emails.iter().map(|e| e.id.as_str()).collect()
    }

    #[test]
    fn reads_filters_from_the_query() {
        assert_eq!(Filter::from_query(None), Filter::default());
        assert_eq!(
            Filter::from_query(Some("to=ada%2Bshop@x.io&tag=receipt&page=2")),
            Filter {
                to: Some("ada+shop@x.io".into()),
                tag: Some("receipt".into())
            }
        );
        assert_eq!(
            Filter::from_query(Some("to=ada+shop@x.io&tag="))
                .to
                .as_deref(),
            Some("ada+shop@x.io")
        );
        assert_eq!(Filter::from_query(Some("tag=")).tag, None);
    }

    #[test]
    fn keeps_order_filters_finds_and_clears() {
        let outbox = Outbox::default();
        outbox.push(email("1", "Ada <ada@x.io>, bob@x.io", Some("receipt")));
        outbox.push(email("2", "bob@x.io", None));
        outbox.push(email("3", "ADA@X.IO", Some("welcome")));
        let list = |query: &str| outbox.list(&Filter::from_query(Some(query)));
        assert_eq!(ids(&list("")), ["1", "2", "3"]);
        assert_eq!(ids(&list("to=ada@x.io")), ["1", "3"]);
        assert_eq!(ids(&list("to=Bob%40X.io")), ["1", "2"]);
        assert_eq!(ids(&list("tag=receipt")), ["1"]);
        assert_eq!(ids(&list("tag=Receipt")), Vec::<&str>::new());
        assert_eq!(ids(&list("to=bob@x.io&tag=receipt")), ["1"]);
        assert_eq!(ids(&list("to=x.io")), Vec::<&str>::new());
        assert_eq!(outbox.get("2").map(|e| e.id), Some("2".to_owned()));
        assert_eq!(outbox.get("4"), None);
        assert_eq!(outbox.clear(), 3);
        assert_eq!(outbox.clear(), 0);
        assert!(list("").is_empty());
    }
}
