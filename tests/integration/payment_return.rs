//! Coming back from the payment page: waiting for the payment, or having cancelled it.

use crate::checkout::{order, sessions_of, wait_status};
use integration_tests::{pay, server, Client};

/// Issue #10, defect 5: while an order waits for its payment, its page reloads itself (without
/// JavaScript; an island polls with it) every 2 s for a minute and every 10 s for ten more,
/// then says it has stopped checking; it stops once paid.
#[tokio::test]
async fn the_order_page_refreshes_itself_while_waiting_for_the_payment() {
    let c = Client::shopper();
    c.set_stock("HAMMOCK-FOREST", 10).await;
    c.add("HAMMOCK-FOREST", 1).await;
    let r = c.checkout().await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["order_id"].as_str().expect("id").to_owned();

    let page = c.get(&format!("/orders/{id}")).await;
    page.assert_contains("Waiting for your payment");
    page.assert_contains(&format!(
        "<noscript><meta http-equiv=\"refresh\" content=\"2;url=/orders/{id}?refreshed=1\">"
    ));
    page.assert_contains("data-component=\"PaymentWatch");
    let later = c.get(&format!("/orders/{id}?refreshed=7")).await;
    later.assert_contains(&format!("url=/orders/{id}?refreshed=8"));
    // After a minute, every 10 s.
    let slower = c.get(&format!("/orders/{id}?refreshed=30")).await;
    slower.assert_contains(&format!("content=\"10;url=/orders/{id}?refreshed=31\""));
    slower.assert_contains("this page updates by itself");
    // After eleven minutes it stops, and says so instead of promising an update.
    let last = c.get(&format!("/orders/{id}?refreshed=90")).await;
    last.assert_contains("Waiting for your payment");
    last.assert_lacks("http-equiv=\"refresh\"");
    last.assert_lacks("PaymentWatch");
    last.assert_lacks("updates by itself");
    last.assert_contains("This page has stopped checking. Reload it in a few minutes");

    pay(&server().gateway, &id).await;
    wait_status(&c, &id, "paid").await;
    let paid = c.get(&format!("/orders/{id}?refreshed=3")).await;
    paid.assert_contains("Thank you for your order");
    paid.assert_lacks("http-equiv=\"refresh\"");
    paid.assert_lacks("PaymentWatch");
}

/// Issue #10, defect 2: Cancel on the payment page ends that checkout at once (its holds are
/// released, its session expired, the e-mail kept); checking out a changed cart ends the
/// cart's previous checkout before reserving.
#[tokio::test]
async fn an_abandoned_checkout_holds_nothing_and_blocks_nobody() {
    const X: &str = "WOOL-SOCKS-S-GREY";
    const Y: &str = "WOOL-SOCKS-M-GREY";
    let c = Client::shopper();
    c.set_stock(X, 1).await;
    c.set_stock(Y, 5).await;
    c.add(X, 1).await;
    let r = c.checkout().await;
    assert_eq!(r.status, 201, "{}", r.body);
    let first = r.json()["order_id"].as_str().expect("id").to_owned();
    assert_eq!(c.stock(X).await["available"], 0);

    // "Cancel and return": the payment page sends the shopper to the cancel URL.
    let back = c.get(&format!("/cart?cancelled={first}")).await;
    assert_eq!(back.status, 200);
    back.assert_contains("Payment cancelled");
    back.assert_contains("value=\"shopper@example.com\"");
    assert_eq!(
        c.stock(X).await["available"],
        1,
        "the hold is released at once"
    );
    assert_eq!(order(&c, &first).await["status"], "expired");
    assert_eq!(sessions_of(&first).await[0]["status"], "expired");

    // Someone else's cancel address changes nothing of this shopper's.
    c.add(Y, 1).await;
    let r = c.checkout().await;
    assert_eq!(r.status, 201, "{}", r.body);
    let second = r.json()["order_id"].as_str().expect("id").to_owned();
    assert_ne!(second, first);
    let stranger = Client::shopper();
    stranger.add(Y, 1).await;
    stranger.get(&format!("/cart?cancelled={second}")).await;
    assert_eq!(order(&c, &second).await["status"], "awaiting_payment");
    assert_eq!(c.stock(X).await["available"], 0);

    // The cart changes and is checked out again: the previous checkout ends first.
    c.add(Y, 1).await;
    let r = c.checkout().await;
    assert_eq!(r.status, 201, "{}", r.body);
    let third = r.json()["order_id"].as_str().expect("id").to_owned();
    assert_ne!(third, second);
    assert_eq!(order(&c, &second).await["status"], "expired");
    assert_eq!(sessions_of(&second).await[0]["status"], "expired");
    let s = c.stock(Y).await;
    assert_eq!(s["reserved"], 2, "only the new checkout holds Y: {s}");
    assert_eq!(order(&c, &third).await["status"], "awaiting_payment");
}
