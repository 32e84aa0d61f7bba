use super::tests::sample;
use super::*;

#[test]
fn upsert_replaces_in_place_or_appends_and_validates() {
    let c = sample();
    let mut shirt = c.products[0].clone();
    shirt.variants[0].price = 1;
    let next = Catalog::change(
        Some(&c),
        CatalogChange::Upsert {
            product: Box::new(shirt.clone()),
        },
    )
    .unwrap();
    assert_eq!(next.products[0].variants[0].price, 1);
    assert_eq!(next.products.len(), c.products.len());
    assert_ne!(next.version(), c.version());

    shirt.variants[0].price = -5;
    match Catalog::change(
        Some(&c),
        CatalogChange::Upsert {
            product: Box::new(shirt),
        },
    ) {
        Err(ChangeError::Invalid { problems }) => assert!(
            problems.iter().any(|p| p.path.contains("price")),
            "{problems:?}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn delete_and_missing_catalog() {
    let c = sample();
    let h = c.products[0].handle.clone();
    let next = Catalog::change(
        Some(&c),
        CatalogChange::Delete {
            handle: h.clone(),
            confirm: true,
        },
    )
    .unwrap();
    assert!(next.products.iter().all(|p| p.handle != h));
    assert_eq!(
        Catalog::change(
            Some(&next),
            CatalogChange::Delete {
                handle: h.clone(),
                confirm: true
            }
        ),
        Err(ChangeError::NotFound {
            handle: h.to_string()
        })
    );
    assert_eq!(
        Catalog::change(
            None,
            CatalogChange::Delete {
                handle: h,
                confirm: true
            }
        ),
        Err(ChangeError::NoCatalog)
    );
    assert_eq!(
        Catalog::change(
            None,
            CatalogChange::Replace {
                catalog: c.clone(),
                confirm: false
            }
        ),
        Ok(c)
    );
}

/// A catalog of `n` products, copies of the sample's first with other handles and SKUs.
fn of_size(n: usize) -> Catalog {
    let mut c = sample();
    let model = c.products[0].clone();
    c.products = (0..n)
        .map(|i| {
            let mut p = model.clone();
            p.handle = Handle::parse(&format!("p-{i}")).unwrap();
            for (j, v) in p.variants.iter_mut().enumerate() {
                v.sku = Sku::parse(&format!("P-{i}-{j}")).unwrap();
            }
            p
        })
        .collect();
    c.validate().unwrap();
    c
}

#[test]
fn removing_most_products_needs_confirmation() {
    let current = of_size(4);
    let replace = |catalog: Catalog, confirm| CatalogChange::Replace { catalog, confirm };
    // A blank import: every product would go.
    let blank = of_size(0);
    assert_eq!(
        Catalog::change(Some(&current), replace(blank.clone(), false)),
        Err(ChangeError::ConfirmRequired {
            current: 4,
            removed: 4,
            remaining: 0
        })
    );
    assert_eq!(
        Catalog::change(Some(&current), replace(blank.clone(), true)),
        Ok(blank)
    );
    // Three of four: more than half.
    let mut one = current.clone();
    one.products.truncate(1);
    assert!(matches!(
        Catalog::change(Some(&current), replace(one, false)),
        Err(ChangeError::ConfirmRequired { removed: 3, .. })
    ));
    // Half is allowed. Replacing every product with new ones removes every old one: that
    // needs confirming too.
    let mut half = current.clone();
    half.products.truncate(2);
    assert!(Catalog::change(Some(&current), replace(half, false)).is_ok());
    assert!(matches!(
        Catalog::change(Some(&current), replace(of_size(8).renamed("q"), false)),
        Err(ChangeError::ConfirmRequired { removed: 4, .. })
    ));
    // The last product cannot be deleted by accident either.
    let last = of_size(1);
    let h = last.products[0].handle.clone();
    let delete = |confirm| CatalogChange::Delete {
        handle: h.clone(),
        confirm,
    };
    assert!(matches!(
        Catalog::change(Some(&last), delete(false)),
        Err(ChangeError::ConfirmRequired { removed: 1, .. })
    ));
    assert!(Catalog::change(Some(&last), delete(true)).is_ok());
    assert!(Catalog::change(
        Some(&current),
        CatalogChange::Delete {
            handle: current.products[0].handle.clone(),
            confirm: false
        }
    )
    .is_ok());
}

impl Catalog {
    /// The same catalog with every handle and SKU prefixed by `prefix`.
    fn renamed(mut self, prefix: &str) -> Catalog {
        for p in &mut self.products {
            p.handle = Handle::parse(&format!("{prefix}-{}", p.handle)).unwrap();
            for v in &mut p.variants {
                v.sku = Sku::parse(&format!("{}-{}", prefix.to_uppercase(), v.sku)).unwrap();
            }
        }
        self
    }
}

#[test]
fn settings_are_part_of_the_catalog_validated_with_their_path() {
    let mut current =
        Catalog::from_json(include_str!("../../../catalog/demo.json")).expect("demo catalog");
    assert_eq!(
        current.settings,
        Some(crate::settings::Settings::demo()),
        "the demo shop ships with the demo settings"
    );
    current.settings = None;
    let mut settings = crate::settings::Settings::demo();
    let next = Catalog::change(
        Some(&current),
        CatalogChange::Settings {
            settings: settings.clone(),
        },
    )
    .expect("demo settings fit the sample's collections");
    assert_eq!(next.settings.as_ref(), Some(&settings));
    assert_eq!(next.products, current.products, "nothing else changes");
    assert_ne!(
        next.version(),
        current.version(),
        "a new version to publish"
    );
    assert_eq!(
        next.index().settings,
        Some(settings.clone()),
        "the edge gets them"
    );

    settings.shipping[0].rates[0].amount = -1;
    let refused = Catalog::change(Some(&next), CatalogChange::Settings { settings });
    let Err(ChangeError::Invalid { problems }) = refused else {
        panic!("refused: {refused:?}");
    };
    assert!(
        problems
            .iter()
            .all(|p| p.path.starts_with("settings.shipping[0].rates[0]")),
        "{problems:?}"
    );
    assert_eq!(
        Catalog::change(
            None,
            CatalogChange::Settings {
                settings: crate::settings::Settings::demo()
            }
        ),
        Err(ChangeError::NoCatalog)
    );
}
