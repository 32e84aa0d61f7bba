//! The hosted payment page at `/pay/{id}`: `GET` shows it, `POST` pays with a test card, and
//! any other method is a 405 — for a session that exists; an unknown one is a 404 whatever the
//! method.
//!
//! A session with `shipping_address_collection` also needs the address fields (see
//! [`crate::address_form`]): an incomplete address, or one outside the allowed countries, shows
//! the page again with a 400 and charges nothing; a paid session keeps the address as its
//! `shipping_details`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;

use crate::address_form::{Attempt, Problem, Typed};
use crate::card::{self, Outcome};
use crate::ids::unix_now;
use crate::page;
use crate::reply::Reply;
use crate::request::{Id, Request};
use crate::session::{Session, Status};
use crate::state::App;

/// `GET /pay/{id}`: the payment form, or why the session cannot be paid.
pub async fn show(State(app): State<Arc<App>>, Id(id): Id, _req: Request) -> Reply {
    match find(&app, &id, unix_now()) {
        Ok(session) => page_for(&session),
        Err(reply) => reply,
    }
}

/// `POST /pay/{id}`: pays with the form's `card_number`, shipping to its address fields.
pub async fn pay(State(app): State<Arc<App>>, Id(id): Id, req: Request) -> Reply {
    let now = unix_now();
    match find(&app, &id, now) {
        Ok(session) => charge(
            &app,
            &session,
            field(&req.body, "card_number").as_deref().unwrap_or(""),
            Typed::from_body(&req.body),
            now,
        ),
        Err(reply) => reply,
    }
}

/// Any other method on `/pay/{id}`.
pub async fn other(State(app): State<Arc<App>>, Id(id): Id, _req: Request) -> Reply {
    match find(&app, &id, unix_now()) {
        Ok(_) => Reply::text(StatusCode::METHOD_NOT_ALLOWED, "Use GET or POST.")
            .with_header("allow", "GET, POST"),
        Err(reply) => reply,
    }
}

/// Session `id` as of `now`, or the not-found page.
fn find(app: &App, id: &str, now: i64) -> Result<Session, Reply> {
    app.session(id, now)
        .ok_or_else(|| Reply::html(StatusCode::NOT_FOUND, page::not_found()))
}

fn page_for(session: &Session) -> Reply {
    match session.status {
        Status::Open => Reply::html(StatusCode::OK, page::checkout(session, &Attempt::default())),
        Status::Complete => Reply::html(StatusCode::OK, page::closed(session)),
        Status::Expired => Reply::html(StatusCode::GONE, page::closed(session)),
    }
}

fn charge(app: &App, session: &Session, card_number: &str, typed: Typed, now: i64) -> Reply {
    let refuse = |status: StatusCode, typed: Typed, problem: Problem| {
        let attempt = Attempt {
            typed,
            problem: Some(problem),
        };
        Reply::html(status, page::checkout(session, &attempt))
    };
    let shipping = match &session.new.shipping_address_collection {
        Some(collection) if session.status == Status::Open => {
            match typed.details().checked(collection) {
                Ok(details) => Some(details),
                Err(e) => return refuse(StatusCode::BAD_REQUEST, typed, Problem::Address(e)),
            }
        }
        _ => None,
    };
    match session.status {
        // Paying again is harmless: no second charge, no second event.
        Status::Complete => Reply::see_other(&session.success_redirect()),
        Status::Expired => Reply::html(StatusCode::GONE, page::closed(session)),
        Status::Open => match card::outcome(card_number) {
            Outcome::Approved => match app.complete(&session.id, now, shipping) {
                Some(paid) if paid.status == Status::Complete => {
                    Reply::see_other(&paid.success_redirect())
                }
                Some(other) => Reply::html(StatusCode::GONE, page::closed(&other)),
                None => Reply::html(StatusCode::NOT_FOUND, page::not_found()),
            },
            refused => {
                let status = match refused {
                    Outcome::Declined => StatusCode::PAYMENT_REQUIRED,
                    _ => StatusCode::BAD_REQUEST,
                };
                let message = refused.message().unwrap_or_default();
                refuse(status, typed, Problem::Card(message))
            }
        },
    }
}

/// The first value of `name` in a urlencoded body.
fn field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use axum::http::Method;

    use super::*;
    use crate::request::tests::request;
    use crate::state::tests::{app, new_session};
    use crate::webhooks::COMPLETED;

    async fn post_card(app: &Arc<App>, id: &str, number: &str) -> Reply {
        let body = format!(
            "card_number={}&expiry=12%2F34&cvc=123",
            number.replace(' ', "+")
        );
        let req = request(Method::POST, &format!("/pay/{id}"), &[], &body);
        pay(State(Arc::clone(app)), Id(id.to_owned()), req).await
    }

    async fn get_page(app: &Arc<App>, id: &str) -> Reply {
        let req = request(Method::GET, &format!("/pay/{id}"), &[], "");
        show(State(Arc::clone(app)), Id(id.to_owned()), req).await
    }

    fn body(reply: &Reply) -> String {
        String::from_utf8_lossy(&reply.body).into_owned()
    }

    #[tokio::test]
    async fn approved_card_completes_and_redirects_once() {
        let app = app();
        let mut new = new_session(unix_now() + 600);
        new.success_url = "https://shop.test/ok?session_id={CHECKOUT_SESSION_ID}".into();
        let s = app.create_session(new, unix_now());
        let page = get_page(&app, &s.id).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(body(&page).contains("<form method=\"post\""));

        let paid = post_card(&app, &s.id, "4242 4242 4242 4242").await;
        assert_eq!(paid.status, StatusCode::SEE_OTHER);
        let location = format!("https://shop.test/ok?session_id={}", s.id);
        assert_eq!(paid.header("location"), Some(location.as_str()));
        let session = app.session(&s.id, unix_now()).unwrap();
        assert_eq!(session.status, Status::Complete);

        let again = post_card(&app, &s.id, "4242424242424242").await;
        assert_eq!(again.status, StatusCode::SEE_OTHER);
        assert_eq!(
            app.session(&s.id, unix_now()).unwrap().payment_intent,
            session.payment_intent
        );
        let events = app.webhooks.events();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["type"], COMPLETED);
    }

    #[tokio::test]
    async fn declined_and_invalid_cards_leave_the_session_open() {
        let app = app();
        let s = app.create_session(new_session(unix_now() + 600), unix_now());
        let declined = post_card(&app, &s.id, "4000 0000 0000 0002").await;
        assert_eq!(declined.status, StatusCode::PAYMENT_REQUIRED);
        assert!(body(&declined).contains("Your card was declined."));
        let invalid = post_card(&app, &s.id, "1234").await;
        assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
        assert!(body(&invalid).contains("Your card number is invalid."));
        assert_eq!(app.session(&s.id, unix_now()).unwrap().status, Status::Open);
        assert!(app.webhooks.events().is_empty());
    }

    #[tokio::test]
    async fn expired_and_unknown_sessions_cannot_be_paid() {
        let app = app();
        let s = app.create_session(new_session(unix_now() + 600), unix_now());
        assert!(app.expire(&s.id, unix_now()).unwrap().is_ok());
        let gone = post_card(&app, &s.id, "4242424242424242").await;
        assert_eq!(gone.status, StatusCode::GONE);
        assert!(body(&gone).contains("expired") && !body(&gone).contains("<form"));
        let page = get_page(&app, &s.id).await;
        assert_eq!(page.status, StatusCode::GONE);
        let unknown = post_card(&app, "cs_test_nope", "4242424242424242").await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn other_methods_are_refused_for_known_sessions_only() {
        let app = app();
        let s = app.create_session(new_session(unix_now() + 600), unix_now());
        let put = |id: &str| {
            let req = request(Method::PUT, &format!("/pay/{id}"), &[], "");
            other(State(Arc::clone(&app)), Id(id.to_owned()), req)
        };
        let refused = put(&s.id).await;
        assert_eq!(refused.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(refused.header("allow"), Some("GET, POST"));
        assert_eq!(put("cs_test_nope").await.status, StatusCode::NOT_FOUND);
        assert_eq!(get_page(&app, "").await.status, StatusCode::NOT_FOUND);
    }

    const CARD: &str = "card_number=4242+4242+4242+4242&expiry=12%2F34&cvc=123";
    const ADDRESS: &str = "name=Ada+Lovelace&line1=1+Rue+de+Rivoli&line2=&postal_code=75001\
        &city=Paris&country=FR";

    async fn post_form(app: &Arc<App>, id: &str, body: &str) -> Reply {
        let req = request(Method::POST, &format!("/pay/{id}"), &[], body);
        pay(State(Arc::clone(app)), Id(id.to_owned()), req).await
    }

    /// An open session that collects an address in France (prices excluding tax: 28.00 EUR).
    fn shipped(app: &App) -> Session {
        let mut new = crate::totals::tests::shape(false);
        new.expires_at = unix_now() + 600;
        app.create_session(new, unix_now())
    }

    /// `ADDRESS` with `field` set to `value` (removed if `None`).
    fn address_with(field: &str, value: Option<&str>) -> String {
        let mut pairs: Vec<String> = ADDRESS
            .split('&')
            .filter(|p| !p.starts_with(&format!("{field}=")))
            .map(str::to_owned)
            .collect();
        if let Some(v) = value {
            pairs.push(format!("{field}={v}"));
        }
        pairs.join("&")
    }

    #[tokio::test]
    async fn an_incomplete_or_disallowed_address_is_refused_and_nothing_is_paid() {
        let app = app();
        let s = shipped(&app);
        let page = body(&get_page(&app, &s.id).await);
        assert!(page.contains("<label for=\"line1\">Address</label>"));
        assert!(page.contains("<option value=\"FR\">France (FR)</option>"));
        for (field, value, message) in [
            ("name", None, "Enter the full name to ship to."),
            ("line1", Some("+++"), "Enter the street address."),
            ("postal_code", None, "Enter the postal code."),
            ("city", Some(""), "Enter the city."),
            ("country", None, "Choose the country."),
            (
                "country",
                Some("US"),
                "This shop ships to FR only from this checkout.",
            ),
        ] {
            let form = format!("{CARD}&{}", address_with(field, value));
            let refused = post_form(&app, &s.id, &form).await;
            assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{field}");
            let html = body(&refused);
            assert!(
                html.contains(&format!("role=\"alert\">{message}</p>")),
                "{field}: {html}"
            );
            let start = html
                .find(&format!("id=\"{field}\" name=\"{field}\""))
                .unwrap();
            let tag = &html[start..start + html[start..].find('>').unwrap()];
            assert!(tag.contains("aria-invalid=\"true\""), "{field}: {tag}");
            assert_eq!(html.matches("aria-invalid").count(), 1, "{field}");
            if field != "name" {
                assert!(
                    html.contains("value=\"Ada Lovelace\""),
                    "{field}: typed values kept"
                );
            }
        }
        let session = app.session(&s.id, unix_now()).unwrap();
        assert_eq!(session.status, Status::Open);
        assert_eq!(session.shipping_details, None);
        assert!(app.webhooks.events().is_empty());
    }

    #[tokio::test]
    async fn a_declined_card_keeps_the_address_typed() {
        let app = app();
        let s = shipped(&app);
        let form = format!("card_number=4000000000000002&{ADDRESS}");
        let declined = post_form(&app, &s.id, &form).await;
        assert_eq!(declined.status, StatusCode::PAYMENT_REQUIRED);
        let html = body(&declined);
        assert!(html.contains("value=\"1 Rue de Rivoli\"") && html.contains("value=\"Paris\""));
        assert!(html.contains("id=\"card-error\""));
        assert!(!html.contains("address-error"));
        assert_eq!(app.session(&s.id, unix_now()).unwrap().status, Status::Open);
    }

    #[tokio::test]
    async fn paying_with_an_address_ships_there_and_the_event_says_so() {
        let app = app();
        let s = shipped(&app);
        let paid = post_form(&app, &s.id, &format!("{CARD}&{ADDRESS}")).await;
        assert_eq!(paid.status, StatusCode::SEE_OTHER);
        let session = app.session(&s.id, unix_now()).unwrap();
        let details = session.shipping_details.clone().unwrap();
        assert_eq!(details.name, "Ada Lovelace");
        assert_eq!(details.address.line2, None);
        assert_eq!(details.address.country, "FR");
        let events = app.webhooks.events();
        assert_eq!(events.len(), 1);
        let object = &events[0]["data"]["object"];
        assert_eq!(
            object["shipping_details"]["address"]["line1"],
            "1 Rue de Rivoli"
        );
        assert_eq!(
            object["shipping_details"]["address"]["postal_code"],
            "75001"
        );
        assert_eq!(object["amount_total"], 2800);
        assert_eq!(object["amount_subtotal"], 2300);
        assert_eq!(object["total_details"]["amount_shipping"], 500);
        assert_eq!(object["total_details"]["amount_tax"], 300);
        // Paying again changes nothing, whatever the form says.
        let again = post_form(&app, &s.id, CARD).await;
        assert_eq!(again.status, StatusCode::SEE_OTHER);
        assert_eq!(
            app.session(&s.id, unix_now()).unwrap().shipping_details,
            Some(details)
        );
        assert_eq!(app.webhooks.events().len(), 1);
    }

    #[tokio::test]
    async fn sessions_without_address_collection_ignore_address_fields() {
        let app = app();
        let s = app.create_session(new_session(unix_now() + 600), unix_now());
        assert!(!body(&get_page(&app, &s.id).await).contains("Full name"));
        let paid = post_form(&app, &s.id, &format!("{CARD}&country=US")).await;
        assert_eq!(paid.status, StatusCode::SEE_OTHER);
        let session = app.session(&s.id, unix_now()).unwrap();
        assert_eq!(session.shipping_details, None);
        assert_eq!(
            app.webhooks.events()[0]["data"]["object"]["shipping_details"],
            serde_json::Value::Null
        );
    }
}
