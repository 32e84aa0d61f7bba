//! How a catalog is laid out in a key-value store (Workers KV at the edge).
//!
//! Every key but one carries the catalog's content version, so a new version never mixes
//! with an old one: a publisher writes all versioned keys first and flips the pointer
//! [`CURRENT`] last. Readers resolve the pointer once per request and read only keys of
//! that version, which are immutable and so safe to cache for as long as memory allows.
//!
//! Products are stored in chunks of [`CHUNK`] (in index order), so publishing 1,000 products
//! takes a dozen writes, within a Worker's subrequest budget, and one read warms a reader's
//! cache with a hundred products.

use crate::catalog::{Catalog, CatalogIndex, Product};

/// The pointer key: its value is the current catalog version.
pub const CURRENT: &str = "catalog:current";

/// Products per chunk.
pub const CHUNK: usize = 100;

pub fn index_key(version: &str) -> String {
    format!("catalog:{version}:index")
}

pub fn chunk_key(version: &str, chunk: usize) -> String {
    format!("catalog:{version}:products:{chunk}")
}

/// The chunk that holds `handle` in `index`, if the product exists.
pub fn chunk_of(index: &CatalogIndex, handle: &str) -> Option<usize> {
    index
        .products
        .iter()
        .position(|p| p.handle.as_str() == handle)
        .map(|i| i / CHUNK)
}

/// Every key and value that publishes `catalog`, the pointer last.
pub fn entries(catalog: &Catalog) -> Result<Vec<(String, String)>, serde_json::Error> {
    let index = catalog.index();
    let version = index.version.clone();
    let mut out = Vec::with_capacity(catalog.products.len() / CHUNK + 3);
    for (i, chunk) in catalog.products.chunks(CHUNK).enumerate() {
        out.push((chunk_key(&version, i), serde_json::to_string(chunk)?));
    }
    out.push((index_key(&version), serde_json::to_string(&index)?));
    out.push((CURRENT.to_owned(), version));
    Ok(out)
}

/// Decodes a chunk.
pub fn decode_chunk(text: &str) -> Result<Vec<Product>, serde_json::Error> {
    serde_json::from_str(text)
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
        assert_eq!(e.len(), c.products.len().div_ceil(CHUNK) + 2);
        assert_eq!(e.last().unwrap(), &(CURRENT.to_owned(), v.clone()));
        for (k, _) in &e[..e.len() - 1] {
            assert!(k.starts_with(&format!("catalog:{v}:")), "{k}");
        }
        let index = c.index();
        let chunk = chunk_of(&index, "shirt").unwrap();
        let (_, text) = e.iter().find(|(k, _)| k == &chunk_key(&v, chunk)).unwrap();
        let products = decode_chunk(text).unwrap();
        assert_eq!(
            products.iter().find(|p| p.handle.as_str() == "shirt"),
            Some(&c.products[0])
        );
        assert_eq!(chunk_of(&index, "nope"), None);
    }

    #[test]
    fn large_catalogs_publish_in_few_writes() {
        let mut c = sample();
        let template = c.products[0].clone();
        c.products = (0..1000)
            .map(|i| {
                let mut p = template.clone();
                p.handle = crate::Handle::parse(&format!("p-{i}")).unwrap();
                for (j, v) in p.variants.iter_mut().enumerate() {
                    v.sku = crate::Sku::parse(&format!("P{i}-{j}")).unwrap();
                }
                p
            })
            .collect();
        let e = entries(&c).unwrap();
        assert_eq!(e.len(), 10 + 2);
        let index = c.index();
        assert_eq!(chunk_of(&index, "p-0"), Some(0));
        assert_eq!(chunk_of(&index, "p-999"), Some(9));
    }
}
