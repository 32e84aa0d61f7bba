use super::tests::code;
use super::*;
use proptest::prelude::*;
use std::collections::BTreeSet;

/// A €5 code limited to `limit` uses.
fn limited(limit: u32) -> Ledger {
    let mut d = code(Kind::Fixed, 500, &[]);
    d.usage_limit = Some(limit);
    Ledger::new(d)
}

#[test]
fn checks_come_in_order_active_minimum_email_limit() {
    let mut l = limited(1);
    l.discount.min_subtotal = Some(5000);
    l.discount.once_per_email = true;
    l.discount.starts_at = Some(100);
    l.hold("o1", "ann@example.com", 5000, 100, 200).unwrap();
    let check = |l: &Ledger, subtotal, email: Option<&str>, now| l.check(subtotal, email, now);
    assert_eq!(
        check(&l, 0, Some("ann@example.com"), 99),
        Err(Refusal::NotActive)
    );
    assert_eq!(
        check(&l, 4999, Some("ann@example.com"), 100),
        Err(Refusal::BelowMinimum { minimum: 5000 })
    );
    assert_eq!(
        check(&l, 5000, Some(" ANN@example.com"), 100),
        Err(Refusal::AlreadyUsed)
    );
    assert_eq!(
        check(&l, 5000, Some("bob@example.com"), 100),
        Err(Refusal::Exhausted)
    );
    assert_eq!(check(&l, 5000, None, 100), Err(Refusal::Exhausted));
    // Once the hold expires, the code is free again.
    assert_eq!(check(&l, 5000, Some("ann@example.com"), 200), Ok(()));
    l.discount.ends_at = Some(150);
    assert_eq!(check(&l, 5000, None, 150), Err(Refusal::NotActive));
    l.update(code(Kind::Fixed, 500, &[]));
    l.disable();
    assert_eq!(check(&l, 5000, None, 100), Err(Refusal::NotActive));
}

#[test]
fn a_hold_is_idempotent_and_counts_until_it_expires() {
    let mut l = limited(2);
    l.hold("o1", "a@example.com", 0, 0, 100).unwrap();
    l.hold("o1", "a@example.com", 0, 50, 500).unwrap();
    assert_eq!(
        l.use_of("o1").map(|u| u.state),
        Some(UseState::Held { until: 100 }),
        "unchanged by a retry"
    );
    l.hold("o2", "b@example.com", 0, 0, 100).unwrap();
    assert_eq!(
        l.counts(50),
        Counts {
            redeemed: 0,
            held: 2
        }
    );
    assert_eq!(l.remaining(50), Some(0));
    assert_eq!(
        l.hold("o3", "c@example.com", 0, 50, 150),
        Err(Refusal::Exhausted)
    );
    assert_eq!(l.next_expiry(), Some(100));
    // At 100 both holds have expired: a new order may hold, and the old ones are gone.
    assert_eq!(l.counts(100), Counts::default());
    l.hold("o3", "c@example.com", 0, 100, 200).unwrap();
    assert_eq!(l.uses().map(|(id, _)| id).collect::<Vec<_>>(), ["o3"]);
    // An order whose hold expired holds anew if there is room.
    l.hold("o1", "a@example.com", 0, 100, 200).unwrap();
    assert_eq!(
        l.counts(150),
        Counts {
            redeemed: 0,
            held: 2
        }
    );
    assert_eq!(l.remaining(150), Some(0));
    assert_eq!(Ledger::new(code(Kind::Fixed, 1, &[])).remaining(0), None);
}

#[test]
fn once_per_email_counts_other_orders_only() {
    let mut l = Ledger::new(code(Kind::Percent, 1000, &[]));
    l.discount.once_per_email = true;
    l.hold("o1", " Ann@Example.com ", 0, 0, 100).unwrap();
    assert_eq!(
        l.use_of("o1").map(|u| u.email.as_str()),
        Some("ann@example.com")
    );
    // The same order again is not "another" order.
    l.hold("o1", "ann@example.com", 0, 10, 100).unwrap();
    assert_eq!(
        l.hold("o2", "ANN@EXAMPLE.COM", 0, 10, 100),
        Err(Refusal::AlreadyUsed)
    );
    assert_eq!(l.commit("o1", "ann@example.com", 20), Commit::Redeemed);
    assert_eq!(
        l.hold("o2", "ann@example.com", 0, 1000, 2000),
        Err(Refusal::AlreadyUsed),
        "a redemption never expires"
    );
    // A refund gives the use back.
    assert!(l.give_back("o1"));
    l.hold("o2", "ann@example.com", 0, 1000, 2000).unwrap();
    // Without the rule, any number of orders of one address may use it.
    l.discount.once_per_email = false;
    l.hold("o3", "ann@example.com", 0, 1000, 2000).unwrap();
}

#[test]
fn release_commit_give_back_and_expire() {
    let mut l = limited(3);
    l.hold("o1", "a@example.com", 0, 0, 100).unwrap();
    l.hold("o2", "b@example.com", 0, 0, 100).unwrap();
    assert!(l.release("o1"));
    assert!(!l.release("o1"), "released once");
    assert_eq!(l.commit("o2", "b@example.com", 50), Commit::Redeemed);
    assert_eq!(l.commit("o2", "b@example.com", 60), Commit::AlreadyRedeemed);
    assert!(!l.release("o2"), "a redemption is never released");
    // Paid after its hold was released or expired, or without one: redeemed anyway.
    assert_eq!(l.commit("o1", "a@example.com", 70), Commit::Late);
    l.hold("o3", "c@example.com", 0, 0, 100).unwrap();
    assert_eq!(l.commit("o3", "c@example.com", 100), Commit::Late);
    assert_eq!(l.commit("o4", "d@example.com", 100), Commit::Late);
    assert_eq!(
        l.counts(1_000_000),
        Counts {
            redeemed: 4,
            held: 0
        }
    );
    assert_eq!(l.remaining(1_000_000), Some(0), "past the limit: none left");
    assert!(l.give_back("o4"));
    assert!(!l.give_back("o4"));
    l.hold("o5", "e@example.com", 0, 100, 200).unwrap_err();
    assert!(l.give_back("o3"));
    l.hold("o5", "e@example.com", 0, 100, 200).unwrap();
    l.hold("o6", "f@example.com", 0, 100, 300).unwrap_err();
    assert!(!l.give_back("o5"), "a hold is not given back");
    assert_eq!(l.next_expiry(), Some(200));
    assert_eq!(l.expire(199), 0);
    assert_eq!(l.expire(200), 1);
    assert_eq!(l.next_expiry(), None);
    assert_eq!(
        l.counts(200),
        Counts {
            redeemed: 2,
            held: 0
        }
    );
}

#[test]
fn an_edit_keeps_the_uses_and_the_ledger_stores_as_json() {
    let mut l = limited(5);
    l.hold("o1", "a@example.com", 0, 0, 100).unwrap();
    l.commit("o1", "a@example.com", 10);
    l.hold("o2", "b@example.com", 0, 10, 100).unwrap();
    let mut edited = code(Kind::Percent, 1500, &[]);
    edited.usage_limit = Some(10);
    l.update(edited.clone());
    assert_eq!(l.discount, edited);
    assert_eq!(
        l.counts(50),
        Counts {
            redeemed: 1,
            held: 1
        }
    );
    let json = serde_json::to_string(&l).unwrap();
    assert_eq!(
        json,
        r#"{"discount":{"code":"TEST","kind":"percent","value":1500,"usage_limit":10},"uses":{"o1":{"email":"a@example.com","state":"redeemed"},"o2":{"email":"b@example.com","state":{"held":{"until":100}}}}}"#
    );
    assert_eq!(serde_json::from_str::<Ledger>(&json).unwrap(), l);
    let fresh: Ledger =
        serde_json::from_str(r#"{"discount":{"code":"new","kind":"fixed","value":1}}"#).unwrap();
    assert_eq!(fresh.counts(0), Counts::default());
    let summary = serde_json::to_string(&l.summary(50)).unwrap();
    assert_eq!(
        summary,
        r#"{"code":"TEST","kind":"percent","value":1500,"usage_limit":10,"redeemed":1,"held":1}"#
    );
}

const EMAILS: [&str; 3] = ["ann@example.com", "bob@example.com", "cy@example.com"];

#[derive(Debug, Clone)]
enum Op {
    /// Order, how its e-mail is written, how long the hold lasts.
    Hold(usize, u8, i64),
    Release(usize),
    Commit(usize),
    GiveBack(usize),
    Expire,
    Wait(i64),
}

fn any_op() -> impl Strategy<Value = Op> {
    let order = 0usize..8;
    prop_oneof![
        4 => (order.clone(), 0u8..3, 1i64..50).prop_map(|(o, w, ttl)| Op::Hold(o, w, ttl)),
        1 => order.clone().prop_map(Op::Release),
        2 => order.clone().prop_map(Op::Commit),
        1 => order.prop_map(Op::GiveBack),
        1 => Just(Op::Expire),
        2 => (1i64..30).prop_map(Op::Wait),
    ]
}

/// Order `o`'s e-mail address, written one of three ways.
fn email(o: usize, way: u8) -> String {
    let e = EMAILS[o % EMAILS.len()];
    match way {
        0 => e.to_owned(),
        1 => e.to_uppercase(),
        _ => format!("  {e}\t"),
    }
}

proptest! {
    #[test]
    fn the_limit_and_once_per_email_hold_under_any_interleaving(
        limit in 1u32..5,
        once_per_email in any::<bool>(),
        ops in proptest::collection::vec(any_op(), 0..80),
    ) {
        let mut l = limited(limit);
        l.discount.once_per_email = once_per_email;
        let mut now = 0i64;
        let mut late = false;
        for op in ops {
            match op {
                Op::Hold(o, way, ttl) => {
                    let id = format!("o{o}");
                    let new = l.use_of(&id).is_none_or(|u| !u.is_live(now));
                    if l.hold(&id, &email(o, way), 0, now, now + ttl).is_ok() && new {
                        let c = l.counts(now);
                        prop_assert!(c.redeemed + c.held <= limit, "{:?} after a hold", c);
                    }
                }
                Op::Release(o) => {
                    l.release(&format!("o{o}"));
                }
                Op::Commit(o) => {
                    late |= l.commit(&format!("o{o}"), &email(o, 0), now) == Commit::Late;
                }
                Op::GiveBack(o) => {
                    l.give_back(&format!("o{o}"));
                }
                Op::Expire => {
                    l.expire(now);
                }
                Op::Wait(dt) => now += dt,
            }
            let c = l.counts(now);
            if !late {
                prop_assert!(c.redeemed <= limit);
                prop_assert!(c.redeemed + c.held <= limit);
                prop_assert_eq!(l.remaining(now), Some(limit - c.redeemed - c.held));
                if once_per_email {
                    let live: Vec<&str> = l
                        .uses()
                        .filter(|(_, u)| u.is_live(now))
                        .map(|(_, u)| u.email.as_str())
                        .collect();
                    let distinct: BTreeSet<&str> = live.iter().copied().collect();
                    prop_assert_eq!(distinct.len(), live.len(), "one use per address: {:?}", live);
                }
            }
            // Every address is stored normalised.
            prop_assert!(l.uses().all(|(_, u)| EMAILS.contains(&u.email.as_str())));
        }
    }

    #[test]
    fn a_payment_is_never_lost(
        ops in proptest::collection::vec(any_op(), 0..60),
    ) {
        // Whatever happened before, a commit leaves the order redeemed until it is given back.
        let mut l = limited(1);
        let mut now = 0i64;
        let mut paid = BTreeSet::new();
        for op in ops {
            match op {
                Op::Hold(o, way, ttl) => {
                    let _ = l.hold(&format!("o{o}"), &email(o, way), 0, now, now + ttl);
                }
                Op::Release(o) => {
                    l.release(&format!("o{o}"));
                }
                Op::Commit(o) => {
                    l.commit(&format!("o{o}"), &email(o, 0), now);
                    paid.insert(format!("o{o}"));
                }
                Op::GiveBack(o) => {
                    if l.give_back(&format!("o{o}")) {
                        paid.remove(&format!("o{o}"));
                    }
                }
                Op::Expire => {
                    l.expire(now);
                }
                Op::Wait(dt) => now += dt,
            }
            for id in &paid {
                prop_assert_eq!(l.use_of(id).map(|u| u.state), Some(UseState::Redeemed));
            }
        }
    }
}
