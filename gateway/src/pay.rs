//! The hosted payment page at `/pay/{id}`: `GET` shows it, `POST` pays with a test card, and
//! any other method is a 405 — for a session that exists; an unknown one is a 404 whatever the
//! method.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;

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

/// `POST /pay/{id}`: pays with the form's `card_number`.
pub async fn pay(State(app): State<Arc<App>>, Id(id): Id, req: Request) -> Reply {
    let now = unix_now();
    match find(&app, &id, now) {
        Ok(session) => charge(
            &app,
            &session,
            field(&req.body, "card_number").as_deref().unwrap_or(""),
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
        Status::Open => Reply::html(StatusCode::OK, page::checkout(session, None)),
        Status::Complete => Reply::html(StatusCode::OK, page::closed(session)),
        Status::Expired => Reply::html(StatusCode::GONE, page::closed(session)),
    }
}

fn charge(app: &App, session: &Session, card_number: &str, now: i64) -> Reply {
    match session.status {
        // Paying again is harmless: no second charge, no second event.
        Status::Complete => Reply::see_other(&session.success_redirect()),
        Status::Expired => Reply::html(StatusCode::GONE, page::closed(session)),
        Status::Open => match card::outcome(card_number) {
            Outcome::Approved => match app.complete(&session.id, now) {
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
                Reply::html(status, page::checkout(session, refused.message()))
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
}
