use super::*;
use proptest::prelude::*;

fn sku(s: &str) -> Sku {
    Sku::parse(s).unwrap()
}

fn add(s: &str, q: u32) -> CartCommand {
    CartCommand::Add {
        sku: sku(s),
        quantity: q,
        available: None,
    }
}

#[test]
fn add_within_available_stock() {
    let mut c = Cart::default();
    let limited = |q, available| CartCommand::Add {
        sku: sku("A"),
        quantity: q,
        available: Some(available),
    };
    c.apply(&limited(2, 3)).unwrap();
    assert_eq!(
        c.apply(&limited(2, 3)),
        Err(CartError::OutOfStock {
            sku: sku("A"),
            available: 3,
            would_have: 4
        })
    );
    assert_eq!(c.quantity_of("A"), 2, "a refused add changes nothing");
    c.apply(&limited(1, 3)).unwrap();
    assert_eq!(c.quantity_of("A"), 3);
    // Stock is checked before the line's own bound, as the shop always answered.
    assert_eq!(
        c.apply(&limited(99, 50)).map_err(|e| e.code()),
        Err("out_of_stock")
    );
}

#[test]
fn add_merges_lines_and_bounds_quantity() {
    let mut c = Cart::default();
    c.apply(&add("A", 2)).unwrap();
    c.apply(&add("A", 3)).unwrap();
    assert_eq!(
        c.lines,
        vec![CartLine {
            sku: sku("A"),
            quantity: 5
        }]
    );
    assert_eq!(
        c.apply(&add("A", 95)),
        Err(CartError::LineFull {
            sku: sku("A"),
            would_have: 100
        })
    );
    assert_eq!(c.quantity_of("A"), 5, "unchanged after an error");
    assert_eq!(
        c.apply(&add("B", 0)),
        Err(CartError::BadQuantity { min: 1, got: 0 })
    );
    assert_eq!(
        c.apply(&add("B", 100)),
        Err(CartError::BadQuantity { min: 1, got: 100 })
    );
    assert_eq!(c.lines.len(), 1);
}

#[test]
fn set_zero_removes_and_remove_requires_presence() {
    let mut c = Cart::default();
    c.apply(&add("A", 2)).unwrap();
    c.apply(&add("B", 1)).unwrap();
    c.apply(&CartCommand::Set {
        sku: sku("A"),
        quantity: 7,
    })
    .unwrap();
    assert_eq!(c.quantity_of("A"), 7);
    c.apply(&CartCommand::Set {
        sku: sku("A"),
        quantity: 0,
    })
    .unwrap();
    assert_eq!(c.quantity_of("A"), 0);
    assert_eq!(
        c.apply(&CartCommand::Remove { sku: sku("A") }),
        Err(CartError::NotInCart { sku: sku("A") })
    );
    c.apply(&CartCommand::Remove { sku: sku("B") }).unwrap();
    assert!(c.is_empty());
}

#[test]
fn at_most_100_lines() {
    let mut c = Cart::default();
    for i in 0..MAX_LINES {
        c.apply(&add(&format!("SKU-{i}"), 1)).unwrap();
    }
    assert_eq!(c.apply(&add("ONE-MORE", 1)), Err(CartError::TooManyLines));
    // Adding to an existing line still works.
    c.apply(&add("SKU-0", 1)).unwrap();
    assert_eq!(c.lines.len(), MAX_LINES);
}

#[test]
fn checkout_is_reused_only_while_the_cart_is_unchanged() {
    let mut c = Cart::default();
    c.apply(&add("A", 1)).unwrap();
    let start = |id: &str, replace: Option<&str>| CartCommand::StartCheckout {
        order_id: id.into(),
        replace: replace.map(Into::into),
    };
    c.apply(&start("o1", None)).unwrap();
    assert_eq!(c.current_checkout(), Some("o1"));
    // A second (concurrent, retried) checkout joins the first.
    c.apply(&start("o9", None)).unwrap();
    assert_eq!(c.current_checkout(), Some("o1"));
    // Replacing a finished one works only if it is the current one.
    c.apply(&start("o8", Some("o7"))).unwrap();
    assert_eq!(c.current_checkout(), Some("o1"));
    c.apply(&start("o2", Some("o1"))).unwrap();
    assert_eq!(c.current_checkout(), Some("o2"));
    c.apply(&add("A", 1)).unwrap();
    assert_eq!(c.current_checkout(), None);
    c.apply(&start("o1", None)).unwrap();
    let paid = |id: &str| CartCommand::CheckoutPaid {
        order_id: id.into(),
        paid: vec![CartLine {
            sku: sku("A"),
            quantity: 2,
        }],
    };
    // Paid for another order: the cart stays.
    c.apply(&paid("o2")).unwrap();
    assert_eq!(c.quantity_of("A"), 2);
    c.apply(&paid("o1")).unwrap();
    assert!(c.is_empty());
}

#[test]
fn a_new_checkout_of_a_changed_cart_names_the_one_it_supersedes() {
    let mut c = Cart::default();
    let start = |id: &str, replace: Option<&str>| CartCommand::StartCheckout {
        order_id: id.into(),
        replace: replace.map(Into::into),
    };
    c.apply(&add("A", 1)).unwrap();
    c.apply(&start("o1", None)).unwrap();
    assert_eq!(c.checkout.as_ref().and_then(|p| p.superseded.clone()), None);
    c.apply(&add("B", 1)).unwrap();
    c.apply(&start("o2", None)).unwrap();
    assert_eq!(c.current_checkout(), Some("o2"));
    assert_eq!(
        c.checkout.as_ref().and_then(|p| p.superseded.clone()),
        Some("o1".into())
    );
    // Replacing a checkout known to be finished supersedes nothing.
    c.apply(&start("o3", Some("o2"))).unwrap();
    assert_eq!(c.current_checkout(), Some("o3"));
    assert_eq!(c.checkout.as_ref().and_then(|p| p.superseded.clone()), None);
}

#[test]
fn an_empty_cart_starts_no_checkout() {
    let mut c = Cart::default();
    c.apply(&CartCommand::StartCheckout {
        order_id: "o1".into(),
        replace: None,
    })
    .unwrap();
    assert_eq!(c, Cart::default());
}

#[test]
fn paying_removes_only_what_was_checked_out() {
    let mut c = Cart::default();
    c.apply(&add("APRON", 1)).unwrap();
    c.apply(&add("MUG", 2)).unwrap();
    c.apply(&CartCommand::StartCheckout {
        order_id: "o1".into(),
        replace: None,
    })
    .unwrap();
    // After the checkout began: a new line, and a raised one.
    c.apply(&add("HAMMOCK", 1)).unwrap();
    c.apply(&add("MUG", 3)).unwrap();
    c.apply(&CartCommand::CheckoutPaid {
        order_id: "o1".into(),
        paid: vec![
            CartLine {
                sku: sku("APRON"),
                quantity: 1,
            },
            CartLine {
                sku: sku("MUG"),
                quantity: 2,
            },
        ],
    })
    .unwrap();
    assert_eq!(c.quantity_of("APRON"), 0);
    assert_eq!(c.quantity_of("MUG"), 3);
    assert_eq!(c.quantity_of("HAMMOCK"), 1);
    assert_eq!(c.lines.len(), 2);
    assert_eq!(c.checkout, None);
}

#[test]
fn prices_in_minor_units_and_flags_unknown_skus() {
    let mut c = Cart::default();
    c.apply(&add("A", 3)).unwrap();
    c.apply(&add("GONE", 1)).unwrap();
    c.apply(&add("B", 2)).unwrap();
    let priced = price(&c, Currency::EUR, |s| match s.as_str() {
        "A" => Some(SkuInfo {
            title: "A".into(),
            product_handle: "a".into(),
            unit_price: 1999,
        }),
        "B" => Some(SkuInfo {
            title: "B".into(),
            product_handle: "b".into(),
            unit_price: 250,
        }),
        _ => None,
    })
    .unwrap();
    assert_eq!(priced.lines[0].line_total, 5997);
    assert_eq!(priced.subtotal, 5997 + 500);
    assert_eq!(priced.units, 6);
    assert_eq!(
        priced
            .unavailable()
            .map(|l| l.sku.as_str())
            .collect::<Vec<_>>(),
        vec!["GONE"]
    );
    assert_eq!(priced.subtotal_money().to_string(), "€64.97");
}

fn discount(code: &str) -> Discount {
    let json = format!(r#"{{"code":"{code}","kind":"percent","value":1000}}"#);
    serde_json::from_str(&json).unwrap()
}

#[test]
fn a_discount_code_is_set_replaced_and_removed() {
    let mut c = Cart::default();
    c.apply(&add("A", 1)).unwrap();
    c.apply(&CartCommand::RemoveDiscount).unwrap();
    assert_eq!(c.discount, None, "removing none is fine");
    let plain = c.fingerprint();
    c.apply(&CartCommand::SetDiscount {
        discount: discount("save10"),
    })
    .unwrap();
    assert_eq!(c.discount.as_ref().map(|d| d.code.as_str()), Some("SAVE10"));
    let with_save10 = c.fingerprint();
    assert_ne!(with_save10, plain, "a new code is a new checkout");
    c.apply(&CartCommand::StartCheckout {
        order_id: "o1".into(),
        replace: None,
    })
    .unwrap();
    c.apply(&CartCommand::SetDiscount {
        discount: discount("SAVE20"),
    })
    .unwrap();
    assert_ne!(c.fingerprint(), with_save10);
    assert_eq!(c.current_checkout(), None);
    c.apply(&CartCommand::RemoveDiscount).unwrap();
    assert_eq!(c.discount, None);
    assert_eq!(c.fingerprint(), plain);
    // Stored with the cart; a cart stored before codes reads as without one.
    c.apply(&CartCommand::SetDiscount {
        discount: discount("SAVE10"),
    })
    .unwrap();
    let json = serde_json::to_string(&c).unwrap();
    assert!(json.contains(r#""discount":{"code":"SAVE10","kind":"percent","value":1000}"#));
    assert_eq!(serde_json::from_str::<Cart>(&json).unwrap(), c);
    let old: Cart = serde_json::from_str(r#"{"lines":[],"checkout":null}"#).unwrap();
    assert_eq!(old.discount, None);
    let command = serde_json::to_string(&CartCommand::RemoveDiscount).unwrap();
    assert_eq!(command, r#""remove_discount""#);
}

#[test]
fn a_paid_checkout_takes_its_code_with_it() {
    let mut c = Cart::default();
    c.apply(&add("A", 1)).unwrap();
    c.apply(&CartCommand::SetDiscount {
        discount: discount("ONCE"),
    })
    .unwrap();
    c.apply(&CartCommand::StartCheckout {
        order_id: "o1".into(),
        replace: None,
    })
    .unwrap();
    let paid = |id: &str| CartCommand::CheckoutPaid {
        order_id: id.into(),
        paid: vec![],
    };
    c.apply(&paid("o2")).unwrap();
    assert!(c.discount.is_some(), "another order's payment");
    c.apply(&paid("o1")).unwrap();
    assert_eq!(c.discount, None);
}

proptest! {
    #[test]
    fn any_command_sequence_keeps_the_invariants(ops in prop::collection::vec((0u8..6, 0usize..6, 0u32..120), 0..60)) {
        let mut c = Cart::default();
        for (op, s, q) in ops {
            let s = sku(&format!("S{s}"));
            let cmd = match op {
                0 => CartCommand::Add { sku: s, quantity: q, available: None },
                1 => CartCommand::Set { sku: s, quantity: q },
                2 => CartCommand::Remove { sku: s },
                3 => CartCommand::SetDiscount { discount: discount(&format!("CODE{q}")) },
                4 => CartCommand::RemoveDiscount,
                _ => CartCommand::Clear,
            };
            let before = c.clone();
            if c.apply(&cmd).is_err() {
                prop_assert_eq!(&c, &before);
            }
            prop_assert!(c.lines.len() <= MAX_LINES);
            prop_assert!(c.lines.iter().all(|l| (1..=MAX_QUANTITY).contains(&l.quantity)));
            let mut skus: Vec<_> = c.lines.iter().map(|l| l.sku.clone()).collect();
            skus.sort();
            skus.dedup();
            prop_assert_eq!(skus.len(), c.lines.len());
        }
    }
}
