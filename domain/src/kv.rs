//! How a catalog is laid out in a key-value store (Workers KV at the edge).
//!
//! Every key but one carries the catalog's content version, so a new version never mixes
//! with an old one: a publisher writes all versioned keys first and flips the pointer
//! [`CURRENT`] last. Readers resolve the pointer once per request and read only keys of
//! that version, which are immutable and so safe to cache for as long as memory allows.

use crate::catalog::Catalog;

/// The pointer key: its value is the current catalog version.
pub const CURRENT: &str = "catalog:current";

pub fn index_key(version: &str) -> String {
    format!("catalog:{version}:index")
}

pub fn product_key(version: &str, handle: &str) -> String {
    format!("catalog:{version}:product:{handle}")
}

/// Every key and value that publishes `catalog`, the pointer last.
pub fn entries(catalog: &Catalog) -> Result<Vec<(String, String)>, serde_json::Error> {
    let index = catalog.index();
    let version = index.version.clone();
    let mut out = Vec::with_capacity(catalog.products.len() + 2);
    for p in &catalog.products {
        out.push((
            product_key(&version, p.handle.as_str()),
            serde_json::to_string(p)?,
        ));
    }
    out.push((index_key(&version), serde_json::to_string(&index)?));
    out.push((CURRENT.to_owned(), version));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::tests::sample;

    #[test]
    fn entries_are_versioned_and_pointer_comes_last() {
        let c = sample();
        let v = c.version();
        let e = entries(&c).unwrap();
        assert_eq!(e.len(), c.products.len() + 2);
        assert_eq!(e.last().unwrap(), &(CURRENT.to_owned(), v.clone()));
        for (k, _) in &e[..e.len() - 1] {
            assert!(k.starts_with(&format!("catalog:{v}:")), "{k}");
        }
        let (_, shirt) = e
            .iter()
            .find(|(k, _)| k == &product_key(&v, "shirt"))
            .unwrap();
        let back: crate::Product = serde_json::from_str(shirt).unwrap();
        assert_eq!(back, c.products[0]);
    }
}
