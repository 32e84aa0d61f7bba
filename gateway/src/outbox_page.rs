//! The outbox as HTML, for people: `/_sandbox/outbox` lists the e-mails sent, newest first,
//! and `/_sandbox/outbox/{id}` shows one — its envelope, its plain text in a `<pre>`, and its
//! HTML in an `<iframe sandbox srcdoc>` (no scripts, no access to this page). Every piece of
//! the message is escaped; the HTML body is escaped once, as the attribute value it is.

use crate::email::Email;
use crate::page::{document, escape};

const SITE: &str = "Sandbox outbox";
const BACK: &str = "<p><a href=\"/_sandbox/outbox\">Back to the outbox</a></p>";

/// The list page for `emails`, given oldest first (as the outbox keeps them).
pub fn list(emails: &[Email]) -> String {
    let intro =
        "<h1>Outbox</h1><p class=\"hint\">Sandbox: e-mails sent to <code>POST /email</code> \
                 are kept here and delivered to no one. As JSON: \
                 <a href=\"/_sandbox/emails\">/_sandbox/emails</a>.</p>";
    if emails.is_empty() {
        let body =
            format!("{intro}<p role=\"status\">The outbox is empty: no e-mail has been sent.</p>");
        return document("Outbox", SITE, &body);
    }
    let rows: String = emails
        .iter()
        .rev()
        .map(|email| {
            let m = &email.message;
            format!(
                "<tr><td>{time}</td><td>{to}</td>\
                 <td><a href=\"/_sandbox/outbox/{id}\">{subject}</a></td><td>{tag}</td></tr>",
                time = time(&email.submitted_at),
                to = escape(&m.to),
                id = escape(&email.id),
                subject = escape(&m.subject),
                tag = m.tag.as_deref().map_or_else(String::new, escape),
            )
        })
        .collect();
    let count = match emails.len() {
        1 => "1 e-mail".to_owned(),
        n => format!("{n} e-mails"),
    };
    let body = format!(
        "{intro}<table class=\"outbox\"><caption>{count}, newest first</caption><thead><tr>\
         <th scope=\"col\">Sent (UTC)</th><th scope=\"col\">To</th>\
         <th scope=\"col\">Subject</th><th scope=\"col\">Tag</th></tr></thead>\
         <tbody>{rows}</tbody></table>"
    );
    document("Outbox", SITE, &body)
}

/// The page for one e-mail.
pub fn message(email: &Email) -> String {
    let m = &email.message;
    let mut envelope = vec![
        ("From", escape(&m.from)),
        ("To", escape(&m.to)),
        ("Subject", escape(&m.subject)),
        (
            "Tag",
            m.tag.as_deref().map_or_else(|| none("no tag"), escape),
        ),
        ("Message stream", escape(&m.message_stream)),
        ("Sent (UTC)", time(&email.submitted_at)),
        ("Message ID", format!("<code>{}</code>", escape(&email.id))),
        ("Metadata", pairs(m.metadata.iter(), "no metadata")),
    ];
    if let Some(reply_to) = &m.reply_to {
        envelope.insert(2, ("Reply-To", escape(reply_to)));
    }
    if !m.headers.is_empty() {
        envelope.push(("Headers", pairs(m.headers.iter().map(|(n, v)| (n, v)), "")));
    }
    let envelope: String = envelope
        .iter()
        .map(|(term, value)| format!("<dt>{term}</dt><dd>{value}</dd>"))
        .collect();
    let text = match &m.text_body {
        Some(text) => format!("<pre>{}</pre>", escape(text)),
        None => "<p>This e-mail has no plain-text body.</p>".to_owned(),
    };
    let html = match &m.html_body {
        Some(html) => format!(
            "<iframe sandbox srcdoc=\"{}\" title=\"HTML body\"></iframe>",
            escape(html)
        ),
        None => "<p>This e-mail has no HTML body.</p>".to_owned(),
    };
    let body = format!(
        "<h1>{subject}</h1><dl>{envelope}</dl><h2>Plain text</h2>{text}<h2>HTML</h2>{html}{BACK}",
        subject = escape(&m.subject),
    );
    document(&m.subject, SITE, &body)
}

/// The page for an id the outbox does not hold.
pub fn not_found() -> String {
    document(
        "Message not found",
        SITE,
        &format!(
            "<h1>Message not found</h1><p>There is no e-mail with this id in the outbox \
             (it may have been deleted).</p>{BACK}"
        ),
    )
}

/// An RFC 3339 time as `2024-03-01 09:30:00`, in a `<time>` element.
fn time(rfc3339: &str) -> String {
    let shown = rfc3339.get(..19).unwrap_or(rfc3339).replacen('T', " ", 1);
    format!(
        "<time datetime=\"{}\">{}</time>",
        escape(rfc3339),
        escape(&shown)
    )
}

/// `name: value` pairs as a list, or `empty` (greyed) if there are none.
fn pairs<'a>(entries: impl Iterator<Item = (&'a String, &'a String)>, empty: &str) -> String {
    let items: String = entries
        .map(|(name, value)| format!("<li>{}: {}</li>", escape(name), escape(value)))
        .collect();
    if items.is_empty() {
        none(empty)
    } else {
        format!("<ul>{items}</ul>")
    }
}

fn none(what: &str) -> String {
    format!("<span class=\"hint\">{}</span>", escape(what))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::email::tests::body;
    use crate::email::Message;

    fn email(
        id: &str,
        subject: &str,
        change: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>),
    ) -> Email {
        let message = Message::parse(&body(|f| {
            f.insert("Subject".into(), json!(subject));
            change(f);
        }))
        .unwrap();
        Email {
            id: id.into(),
            submitted_at: "2024-03-01T09:30:00.250Z".into(),
            message,
        }
    }

    #[test]
    fn lists_newest_first_with_links_and_says_when_empty() {
        let empty = list(&[]);
        assert!(empty.contains("The outbox is empty") && !empty.contains("<table"));
        let html = list(&[
            email("id-old", "First", |_| {}),
            email("id-new", "Second <b>", |f| {
                drop(f.insert("Tag".into(), json!("receipt")))
            }),
        ]);
        assert!(html.contains("<caption>2 e-mails, newest first</caption>"));
        let (new, old) = (html.find("id-new").unwrap(), html.find("id-old").unwrap());
        assert!(new < old, "newest first");
        assert!(html.contains("<a href=\"/_sandbox/outbox/id-new\">Second &lt;b&gt;</a>"));
        assert!(html.contains("<td>receipt</td>"));
        assert!(
            html.contains("<time datetime=\"2024-03-01T09:30:00.250Z\">2024-03-01 09:30:00</time>")
        );
        assert!(!html.contains("<b>"));
    }

    #[test]
    fn shows_one_message_with_everything_escaped() {
        let html = message(&email("id-1", "<script>alert(1)</script>", |f| {
            f.insert("TextBody".into(), json!("Hi <script>x</script> & bye"));
            f.insert(
                "HtmlBody".into(),
                json!("<p class=\"a\">It's <script>y()</script></p>"),
            );
            f.insert("Metadata".into(), json!({"order_id": "ord_<1>"}));
            f.insert("ReplyTo".into(), json!("help@sandbox.example"));
        }));
        assert!(!html.contains("<script>"), "{html}");
        assert!(
            html.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt; – Sandbox outbox</title>")
        );
        assert!(html.contains("<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>"));
        assert!(html.contains("<pre>Hi &lt;script&gt;x&lt;/script&gt; &amp; bye</pre>"));
        assert!(html.contains(
            "<iframe sandbox srcdoc=\"&lt;p class=&quot;a&quot;&gt;It&#39;s \
             &lt;script&gt;y()&lt;/script&gt;&lt;/p&gt;\" title=\"HTML body\"></iframe>"
        ));
        assert!(html.contains("<li>order_id: ord_&lt;1&gt;</li>"));
        assert!(html.contains("<dt>Reply-To</dt><dd>help@sandbox.example</dd>"));
        assert!(html.contains("<dt>Tag</dt><dd><span class=\"hint\">no tag</span></dd>"));
        assert!(html.contains("<dt>From</dt><dd>Shop &lt;shop@sandbox.example&gt;</dd>"));
    }

    #[test]
    fn says_which_body_is_missing_and_when_a_message_is_unknown() {
        let text_only = message(&email("id-2", "Plain", |f| drop(f.remove("HtmlBody"))));
        assert!(text_only.contains("no HTML body") && !text_only.contains("<iframe"));
        assert!(text_only.contains("<pre>Thanks!</pre>"));
        let html_only = message(&email("id-3", "Rich", |f| drop(f.remove("TextBody"))));
        assert!(html_only.contains("no plain-text body") && html_only.contains("<iframe sandbox"));
        assert!(not_found().contains("<h1>Message not found</h1>"));
    }
}
