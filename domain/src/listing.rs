//! Listing queries over a [`CatalogIndex`]: filter by collection, search, sort, paginate.
//! Query-string values are parsed here so every entry point rejects the same bad input.

use crate::catalog::{CatalogIndex, ProductSummary};
use crate::ids::Handle;
use serde::Serialize;
use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sort {
    /// The merchant's catalog order.
    #[default]
    Featured,
    PriceAsc,
    PriceDesc,
    Name,
    Newest,
}

impl Sort {
    pub const ALL: [Sort; 5] = [
        Sort::Featured,
        Sort::PriceAsc,
        Sort::PriceDesc,
        Sort::Name,
        Sort::Newest,
    ];

    pub fn parse(s: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Featured => "featured",
            Sort::PriceAsc => "price-asc",
            Sort::PriceDesc => "price-desc",
            Sort::Name => "name",
            Sort::Newest => "newest",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Featured => "Featured",
            Sort::PriceAsc => "Price, low to high",
            Sort::PriceDesc => "Price, high to low",
            Sort::Name => "Name, A to Z",
            Sort::Newest => "Newest",
        }
    }

    fn compare(self, a: &ProductSummary, b: &ProductSummary) -> Ordering {
        let by_name = || a.title.to_lowercase().cmp(&b.title.to_lowercase());
        match self {
            // A stable sort keeps the catalog order.
            Sort::Featured => return Ordering::Equal,
            Sort::PriceAsc => a.min_price.cmp(&b.min_price).then_with(by_name),
            Sort::PriceDesc => b.min_price.cmp(&a.min_price).then_with(by_name),
            Sort::Name => by_name(),
            Sort::Newest => b.created_at.cmp(&a.created_at).then_with(by_name),
        }
        .then_with(|| a.handle.cmp(&b.handle))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("unknown sort {0:?}: use one of featured, price-asc, price-desc, name, newest")]
    BadSort(String),
    #[error("page must be a whole number from 1 to {max}", max = ListingQuery::MAX_PAGE)]
    BadPage,
    #[error("per_page must be a whole number from 1 to {max}", max = ListingQuery::MAX_PER_PAGE)]
    BadPerPage,
    #[error("collection must be a collection handle (a-z, 0-9, '-')")]
    BadCollection,
    #[error("search text must be at most {max} characters", max = ListingQuery::MAX_QUERY)]
    QueryTooLong,
}

/// A parsed `?collection=&q=&sort=&page=&per_page=` query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingQuery {
    pub collection: Option<Handle>,
    /// Trimmed search text; `None` when absent or blank.
    pub q: Option<String>,
    pub sort: Sort,
    pub page: u32,
    pub per_page: u32,
}

impl Default for ListingQuery {
    fn default() -> Self {
        ListingQuery {
            collection: None,
            q: None,
            sort: Sort::default(),
            page: 1,
            per_page: Self::DEFAULT_PER_PAGE,
        }
    }
}

/// One page of results with what a pager needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: u32,
    pub total_pages: u32,
}

impl ListingQuery {
    pub const DEFAULT_PER_PAGE: u32 = 12;
    pub const MAX_PER_PAGE: u32 = 48;
    pub const MAX_PAGE: u32 = 10_000;
    pub const MAX_QUERY: usize = 200;

    /// Parses decoded query pairs. Empty values count as absent; unknown keys are ignored
    /// (tracking parameters must not break a shared link).
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, QueryError> {
        let mut q = ListingQuery::default();
        for (key, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key {
                "collection" => {
                    q.collection =
                        Some(Handle::parse(value).map_err(|_| QueryError::BadCollection)?)
                }
                "q" => {
                    if value.chars().count() > Self::MAX_QUERY {
                        return Err(QueryError::QueryTooLong);
                    }
                    q.q = Some(value.to_owned());
                }
                "sort" => {
                    q.sort = Sort::parse(value)
                        .ok_or_else(|| QueryError::BadSort(value.chars().take(40).collect()))?
                }
                "page" => {
                    q.page = parse_bounded(value, Self::MAX_PAGE).ok_or(QueryError::BadPage)?
                }
                "per_page" => {
                    q.per_page =
                        parse_bounded(value, Self::MAX_PER_PAGE).ok_or(QueryError::BadPerPage)?
                }
                _ => {}
            }
        }
        Ok(q)
    }

    /// The same sort and page within one collection, without a search: what a collection page
    /// lists.
    pub fn in_collection(&self, collection: &Handle) -> ListingQuery {
        ListingQuery {
            collection: Some(collection.clone()),
            q: None,
            ..self.clone()
        }
    }

    /// Whether the query asks for a page after the last one (the first page always exists, if
    /// empty): pages answer 404 for it.
    pub fn past_the_end(&self, index: &CatalogIndex) -> bool {
        self.page > 1 && self.page > self.run(index).total_pages
    }

    /// Runs the query. A page past the end is empty, not an error.
    pub fn run<'a>(&self, index: &'a CatalogIndex) -> Page<&'a ProductSummary> {
        let terms = self.q.as_deref().map(search_terms).unwrap_or_default();
        let mut hits: Vec<&ProductSummary> = index
            .products
            .iter()
            .filter(|p| {
                self.collection
                    .as_ref()
                    .is_none_or(|c| p.collections.contains(c))
            })
            .filter(|p| matches_terms(p, &terms))
            .collect();
        hits.sort_by(|a, b| self.sort.compare(a, b));
        paginate(hits, self.page, self.per_page)
    }
}

fn parse_bounded(s: &str, max: u32) -> Option<u32> {
    s.parse::<u32>().ok().filter(|n| (1..=max).contains(n))
}

/// Folded whitespace-separated terms (see [`fold`]).
pub fn search_terms(q: &str) -> Vec<String> {
    q.split_whitespace().map(fold).collect()
}

/// Text as search compares it: lower case, and Latin letters without their accents, so that
/// "creme brulee" finds "Crème Brûlée" (and "CRÈME" finds "crème").
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let plain = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
            'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
            'ď' | 'đ' => "d",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
            'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
            'ĥ' | 'ħ' => "h",
            'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
            'ĵ' => "j",
            'ķ' => "k",
            'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
            'ñ' | 'ń' | 'ņ' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
            'ŕ' | 'ŗ' | 'ř' => "r",
            'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
            'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
            'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
            'ŵ' => "w",
            'ý' | 'ÿ' | 'ŷ' => "y",
            'ź' | 'ż' | 'ž' => "z",
            'ß' => "ss",
            'æ' => "ae",
            'œ' => "oe",
            'þ' => "th",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(plain);
    }
    out
}

/// True when every term occurs (folded, see [`fold`]) in the title, description or a tag.
pub fn matches_terms(p: &ProductSummary, terms: &[String]) -> bool {
    if terms.is_empty() {
        return true;
    }
    let title = fold(&p.title);
    let description = fold(&p.description);
    let tags: Vec<String> = p.tags.iter().map(|t| fold(t)).collect();
    terms.iter().all(|t| {
        title.contains(t) || description.contains(t) || tags.iter().any(|tag| tag.contains(t))
    })
}

pub fn paginate<T>(items: Vec<T>, page: u32, per_page: u32) -> Page<T> {
    let per_page = per_page.max(1);
    let total = u32::try_from(items.len()).unwrap_or(u32::MAX);
    let total_pages = total.div_ceil(per_page);
    let start =
        usize::try_from(u64::from(page.max(1) - 1) * u64::from(per_page)).unwrap_or(usize::MAX);
    let items = items
        .into_iter()
        .skip(start)
        .take(per_page as usize)
        .collect();
    Page {
        items,
        page: page.max(1),
        per_page,
        total,
        total_pages,
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn search_ignores_case_and_accents() {
        assert_eq!(super::fold("Crème Brûlée"), "creme brulee");
        assert_eq!(super::fold("STRAßE Æble Øl"), "strasse aeble ol");
        assert_eq!(
            super::search_terms("  CREME   brulee "),
            vec!["creme", "brulee"]
        );
    }

    use super::*;
    use crate::catalog::tests::sample;
    use proptest::prelude::*;

    fn handles(page: &Page<&ProductSummary>) -> Vec<String> {
        page.items.iter().map(|p| p.handle.to_string()).collect()
    }

    fn query(pairs: &[(&str, &str)]) -> ListingQuery {
        ListingQuery::from_pairs(pairs.iter().copied()).unwrap()
    }

    #[test]
    fn sorting() {
        let idx = sample().index();
        let run = |sort: &str| handles(&query(&[("sort", sort)]).run(&idx));
        assert_eq!(run("featured"), ["shirt", "mug", "apron"]);
        assert_eq!(run("price-asc"), ["mug", "apron", "shirt"]);
        assert_eq!(run("price-desc"), ["shirt", "apron", "mug"]);
        assert_eq!(run("name"), ["apron", "shirt", "mug"]);
        assert_eq!(run("newest"), ["mug", "shirt", "apron"]);
    }

    #[test]
    fn search_is_case_insensitive_over_title_description_and_tags() {
        let idx = sample().index();
        let run = |q: &str| handles(&query(&[("q", q)]).run(&idx));
        assert_eq!(run("LINEN"), ["shirt"]);
        assert_eq!(run("summer"), ["shirt"]);
        assert_eq!(run("coffee"), ["mug"]);
        assert_eq!(run("kitchen"), ["mug", "apron"]);
        assert_eq!(run("kitchen garden"), ["apron"]);
        assert!(run("zeppelin").is_empty());
        assert_eq!(run("   ").len(), 3, "blank search lists everything");
    }

    #[test]
    fn collection_filter() {
        let idx = sample().index();
        assert_eq!(
            handles(&query(&[("collection", "home")]).run(&idx)),
            ["mug", "apron"]
        );
        assert!(handles(&query(&[("collection", "nope")]).run(&idx)).is_empty());
    }

    #[test]
    fn pagination_bounds() {
        let p = paginate((1..=25).collect::<Vec<_>>(), 3, 12);
        assert_eq!((p.items, p.total, p.total_pages), (vec![25], 25, 3));
        let p = paginate((1..=24).collect::<Vec<_>>(), 2, 12);
        assert_eq!((p.items.len(), p.total_pages), (12, 2));
        let p = paginate((1..=5).collect::<Vec<_>>(), 9, 12);
        assert!(p.items.is_empty());
        let p = paginate(Vec::<u8>::new(), 1, 12);
        assert_eq!((p.total, p.total_pages), (0, 0));
    }

    #[test]
    fn rejects_bad_parameters() {
        let parse = |k: &'static str, v: &'static str| ListingQuery::from_pairs([(k, v)]);
        assert_eq!(parse("page", "0"), Err(QueryError::BadPage));
        assert_eq!(parse("page", "-3"), Err(QueryError::BadPage));
        assert_eq!(parse("page", "abc"), Err(QueryError::BadPage));
        assert_eq!(parse("page", "99999999999"), Err(QueryError::BadPage));
        assert_eq!(parse("per_page", "49"), Err(QueryError::BadPerPage));
        assert!(matches!(
            parse("sort", "cheapest"),
            Err(QueryError::BadSort(_))
        ));
        assert_eq!(
            parse("collection", "../etc"),
            Err(QueryError::BadCollection)
        );
        let long = "x".repeat(201);
        assert_eq!(
            ListingQuery::from_pairs([("q", long.as_str())]),
            Err(QueryError::QueryTooLong)
        );
        assert_eq!(parse("utm_source", "mail"), Ok(ListingQuery::default()));
        assert_eq!(parse("page", ""), Ok(ListingQuery::default()));
    }

    proptest! {
        #[test]
        fn pages_partition_the_results(n in 0usize..200, per_page in 1u32..50) {
            let items: Vec<usize> = (0..n).collect();
            let first = paginate(items.clone(), 1, per_page);
            let mut seen = Vec::new();
            for page in 1..=first.total_pages.max(1) {
                let p = paginate(items.clone(), page, per_page);
                prop_assert!(p.items.len() <= per_page as usize);
                seen.extend(p.items);
            }
            prop_assert_eq!(seen, items);
        }
    }
}
