use super::tests::sample;
use super::Image;

fn image(src: &str, alt: &str) -> Option<Image> {
    Some(Image {
        src: src.into(),
        alt: alt.into(),
    })
}

#[test]
fn a_variant_shows_its_own_picture_else_the_products_first() {
    let mut c = sample();
    c.products[0].variants[2].image = image("/images/shirt-blue.svg", "A blue shirt");
    let shirt = &c.products[0];
    let blue = shirt.variant("SHIRT-M-B").unwrap();
    let white = shirt.variant("SHIRT-M-W").unwrap();
    assert_eq!(
        shirt.image_for(blue).map(|i| i.src.as_str()),
        Some("/images/shirt-blue.svg")
    );
    assert_eq!(
        shirt.image_for(white).map(|i| i.src.as_str()),
        Some("/images/shirt.svg")
    );
    let mug = &c.products[1];
    assert_eq!(mug.image_for(&mug.variants[0]), None, "no pictures at all");
    assert!(c.validate().is_ok());
}

#[test]
fn variant_pictures_are_validated_like_product_pictures() {
    let mut c = sample();
    c.products[0].variants[1].image = image("javascript:alert(1)", "");
    let problems = c.validate().unwrap_err();
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "products[0].variants[1].image.src",
            "products[0].variants[1].image.alt"
        ]
    );
}

#[test]
fn variant_pictures_round_trip_and_stay_optional_in_the_file() {
    let mut c = sample();
    let plain = serde_json::to_string(&c).unwrap();
    assert!(!plain.contains("\"image\""), "absent, not null: {plain}");
    c.products[0].variants[0].image = image("/images/s.svg", "Small");
    let text = serde_json::to_string(&c).unwrap();
    assert_eq!(super::Catalog::from_json(&text).unwrap(), c);
    let bad = text.replace("\"alt\":\"Small\"", "\"alt\":\"Small\",\"width\":3");
    assert!(
        super::Catalog::from_json(&bad).is_err(),
        "unknown fields refused"
    );
}
