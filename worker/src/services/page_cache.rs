//! Rendered catalog pages, kept inside the isolate.
//!
//! A catalog page is a pure function of what its key names: the catalog version (every
//! versioned KV entry is immutable, see [`domain::kv`]), the route and its query, and for a
//! product page the live counters it shows. So a page rendered once can be served again, with
//! its ETag, without rendering or hashing, for as long as the key stays the same:
//! - a price change publishes a new catalog version, so the next request misses;
//! - a stock change shows as soon as the product page's counters are read again (at most
//!   `SHOWN_STOCK_TTL_MS` later), since the counters are part of the key.
//!
//! Nothing personal is ever stored: the catalog pages carry no cart and no session (the header's
//! cart count is an island filled in by the browser), which is also why shared caches may keep
//! them.
//!
//! Bounded by entries and by bytes; the oldest entry goes first. `PAGE_CACHE=off` turns it off,
//! so that the render path can be measured on its own (`make bench`).

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

/// Pages kept per isolate.
const MAX_ENTRIES: usize = 256;
/// Bytes of HTML kept per isolate (Workers give an isolate 128 MB).
const MAX_BYTES: usize = 4 * 1024 * 1024;

/// A rendered page and its strong ETag.
pub struct Page {
    pub body: Vec<u8>,
    pub etag: String,
}

#[derive(Default)]
struct Pages {
    map: HashMap<String, Rc<Page>>,
    order: VecDeque<String>,
    bytes: usize,
}

impl Pages {
    fn insert(&mut self, key: String, page: Rc<Page>) {
        let size = page.body.len() + key.len();
        if size > MAX_BYTES {
            return;
        }
        if let Some(old) = self.map.insert(key.clone(), page) {
            self.bytes -= old.body.len() + key.len();
        } else {
            self.order.push_back(key);
        }
        self.bytes += size;
        while self.map.len() > MAX_ENTRIES || self.bytes > MAX_BYTES {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some(p) = self.map.remove(&oldest) {
                self.bytes -= p.body.len() + oldest.len();
            }
        }
    }
}

thread_local! {
    static PAGES: RefCell<Pages> = RefCell::new(Pages::default());
}

/// The isolate's page cache, on or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageCache {
    enabled: bool,
}

impl PageCache {
    pub const VAR: &'static str = "PAGE_CACHE";

    pub fn new(enabled: bool) -> Self {
        PageCache { enabled }
    }

    /// The page under `key`, rendering (and keeping) it with `render` on a miss.
    pub fn get_or_render(&self, key: String, render: impl FnOnce() -> String) -> Rc<Page> {
        if !self.enabled {
            return Rc::new(page(render()));
        }
        if let Some(p) = PAGES.with_borrow(|c| c.map.get(&key).cloned()) {
            return p;
        }
        let p = Rc::new(page(render()));
        PAGES.with_borrow_mut(|c| c.insert(key, p.clone()));
        p
    }
}

fn page(html: String) -> Page {
    let body = html.into_bytes();
    Page {
        etag: crate::respond::etag(&body),
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hit_does_not_render_and_keys_separate_pages() {
        let cache = PageCache::new(true);
        let a = cache.get_or_render("v1|a".into(), || "<p>a</p>".into());
        let again = cache.get_or_render("v1|a".into(), || unreachable!("a hit renders"));
        assert_eq!(a.etag, again.etag);
        let b = cache.get_or_render("v2|a".into(), || "<p>b</p>".into());
        assert_eq!(b.body, b"<p>b</p>");
    }

    #[test]
    fn off_always_renders() {
        let cache = PageCache::new(false);
        let mut renders = 0;
        for _ in 0..3 {
            cache.get_or_render("k".into(), || {
                renders += 1;
                "x".into()
            });
        }
        assert_eq!(renders, 3);
    }

    #[test]
    fn bounded_by_entries_oldest_first() {
        let mut pages = Pages::default();
        for i in 0..MAX_ENTRIES + 10 {
            pages.insert(
                format!("k{i}"),
                Rc::new(Page {
                    body: vec![b'x'; 10],
                    etag: String::new(),
                }),
            );
        }
        assert_eq!(pages.map.len(), MAX_ENTRIES);
        assert!(!pages.map.contains_key("k0"));
        assert!(pages.map.contains_key(&format!("k{}", MAX_ENTRIES + 9)));
        assert_eq!(
            pages.bytes,
            pages
                .map
                .iter()
                .map(|(k, p)| k.len() + p.body.len())
                .sum::<usize>()
        );
    }

    #[test]
    fn bounded_by_bytes() {
        let mut pages = Pages::default();
        for i in 0..8 {
            pages.insert(
                format!("k{i}"),
                Rc::new(Page {
                    body: vec![b'x'; MAX_BYTES / 4],
                    etag: String::new(),
                }),
            );
        }
        assert!(pages.bytes <= MAX_BYTES);
        assert!(pages.map.len() <= 4);
    }
}
