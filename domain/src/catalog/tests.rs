use super::*;

pub fn sample() -> Catalog {
    let json = r#"{
      "currency": "EUR",
      "collections": [{"handle": "apparel", "title": "Apparel"}, {"handle": "home", "title": "Home"}],
      "products": [
        {"handle": "shirt", "title": "Linen Shirt", "description": "Breezy summer linen.",
         "tags": ["linen", "Summer"], "collections": ["apparel"], "featured": true, "created_at": "2026-03-01",
         "images": [{"src": "/images/shirt.svg", "alt": "A shirt"}], "options": ["Size", "Colour"],
         "variants": [
           {"sku": "SHIRT-S-W", "options": ["S", "White"], "price": 4900, "stock": 0},
           {"sku": "SHIRT-M-W", "options": ["M", "White"], "price": 4900, "stock": 3},
           {"sku": "SHIRT-M-B", "options": ["M", "Blue"], "price": 5200, "stock": 9}
         ]},
        {"handle": "mug", "title": "Stoneware Mug", "description": "Holds coffee.", "tags": ["kitchen"],
         "collections": ["home"], "created_at": "2026-05-10", "options": ["Colour"],
         "variants": [{"sku": "MUG-W", "options": ["White"], "price": 1800, "stock": 5}]},
        {"handle": "apron", "title": "Canvas Apron", "description": "For the kitchen and the garden.",
         "tags": ["canvas"], "collections": ["home", "apparel"], "created_at": "2025-11-02", "options": ["Size"],
         "variants": [{"sku": "APRON-ONE", "options": ["One size"], "price": 3500, "stock": 0}]}
      ]
    }"#;
    Catalog::from_json(json).expect("sample catalog is valid")
}

#[test]
fn parses_and_summarises() {
    let c = sample();
    let idx = c.index();
    assert_eq!(idx.products.len(), 3);
    let shirt = &idx.products[0];
    assert_eq!(
        (shirt.min_price, shirt.max_price, shirt.available),
        (4900, 5200, true)
    );
    assert!(!idx.products[2].available);
    assert_eq!(idx.featured().count(), 1);
}

#[test]
fn version_follows_content() {
    let a = sample();
    let mut b = sample();
    assert_eq!(a.version(), b.version());
    b.products[1].variants[0].price = 1900;
    assert_ne!(a.version(), b.version());
    assert_eq!(a.version().len(), 16);
}

#[test]
fn variant_selection() {
    let c = sample();
    let shirt = &c.products[0];
    let pick = |sel: &[(&str, &str)]| shirt.select_variant(sel).map(|v| v.sku.as_str().to_owned());
    assert_eq!(
        pick(&[("Size", "M"), ("Colour", "Blue")]).as_deref(),
        Some("SHIRT-M-B")
    );
    assert_eq!(pick(&[("size", "M")]).as_deref(), Some("SHIRT-M-W"));
    assert_eq!(pick(&[("Size", "S"), ("Colour", "Blue")]), None);
    assert_eq!(pick(&[("Material", "Silk")]), None);
    assert_eq!(
        shirt.default_variant().map(|v| v.sku.as_str()),
        Some("SHIRT-M-W")
    );
    assert_eq!(
        c.products[2].default_variant().map(|v| v.sku.as_str()),
        Some("APRON-ONE")
    );
    assert_eq!(shirt.option_values(0), vec!["S", "M"]);
    assert_eq!(shirt.option_values(1), vec!["White", "Blue"]);
}

#[test]
fn validation_lists_every_problem_with_its_path() {
    let mut c = sample();
    c.products[1].handle = c.products[0].handle.clone();
    c.products[0].variants[1].sku = c.products[0].variants[0].sku.clone();
    c.products[0].variants[2].options.pop();
    c.products[2].variants[0].price = 0;
    c.products[2]
        .collections
        .push(Handle::parse("nowhere").unwrap());
    c.products[2].created_at = "2026-13-01".into();
    c.products[1].title = "  ".into();
    let problems = c.validate().unwrap_err();
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        vec![
            "products[0].variants[1].sku",
            "products[0].variants[2].options",
            "products[1].handle",
            "products[1].title",
            "products[2].collections[2]",
            "products[2].created_at",
            "products[2].variants[0].price",
        ]
    );
}

#[test]
fn rejects_unknown_fields_and_bad_json_with_a_location() {
    let err = Catalog::from_json(r#"{"currency":"EUR","collections":[],"products":[],"extra":1}"#)
        .unwrap_err();
    assert!(err[0].message.contains("unknown field `extra`"), "{err:?}");
    let err = Catalog::from_json("{\"currency\":\n").unwrap_err();
    assert!(err[0].path.starts_with("line 2"), "{err:?}");
    let err = Catalog::from_json(
        r#"{"currency":"EUR","collections":[],"products":[{"handle":"Bad Handle"}]}"#,
    )
    .unwrap_err();
    assert!(err[0].message.contains("handle must be"), "{err:?}");
}

#[test]
fn demo_catalog_is_valid() {
    let text = include_str!("../../../catalog/demo.json");
    let c = Catalog::from_json(text).unwrap_or_else(|p| panic!("demo catalog invalid: {p:#?}"));
    assert!(c.products.len() >= 24);
    assert!(c.collections.len() >= 4);
    assert!(c.products.iter().any(|p| p.options.len() >= 2));
}
