//! Stripe's form encoding: `application/x-www-form-urlencoded` pairs whose keys carry brackets,
//! such as `line_items[0][price_data][currency]=eur` or `metadata[order_id]=42`.
//!
//! [`parse`] turns the flat pairs into a [`Node`] tree. Numeric segments are ordinary map keys
//! here; [`Node::list`] reads a map with keys `0`, `1`, … as a list. An empty segment (`a[]=x`)
//! appends, taking the next free index.

use std::collections::BTreeMap;

/// A value in a parsed form: a string, or a map of named children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Leaf(String),
    Map(BTreeMap<String, Node>),
}

/// Why a form body could not be parsed; `param` is the offending key as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    pub param: String,
    pub message: String,
}

impl FormError {
    fn new(param: &str, message: impl Into<String>) -> FormError {
        FormError {
            param: param.to_owned(),
            message: message.into(),
        }
    }
}

/// Parses a urlencoded body into a map from top-level names to nodes.
pub fn parse(body: &[u8]) -> Result<BTreeMap<String, Node>, FormError> {
    let mut root = BTreeMap::new();
    for (key, value) in form_urlencoded::parse(body) {
        let path = split_key(&key)?;
        insert(&mut root, &key, &path, value.into_owned())?;
    }
    Ok(root)
}

/// Splits `a[b][c]` into `["a", "b", "c"]`.
fn split_key(key: &str) -> Result<Vec<&str>, FormError> {
    let malformed = || FormError::new(key, format!("Invalid parameter name: {key}"));
    let (head, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    if head.is_empty() || head.contains(']') {
        return Err(malformed());
    }
    let mut path = vec![head];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[').ok_or_else(malformed)?;
        let close = inner.find(']').ok_or_else(malformed)?;
        let segment = &inner[..close];
        if segment.contains('[') {
            return Err(malformed());
        }
        path.push(segment);
        rest = &inner[close + 1..];
    }
    Ok(path)
}

fn insert(
    map: &mut BTreeMap<String, Node>,
    key: &str,
    path: &[&str],
    value: String,
) -> Result<(), FormError> {
    let Some((first, rest)) = path.split_first() else {
        return Err(FormError::new(
            key,
            format!("Invalid parameter name: {key}"),
        ));
    };
    let segment = if first.is_empty() {
        map.len().to_string()
    } else {
        (*first).to_owned()
    };
    if rest.is_empty() {
        match map.get(&segment) {
            Some(Node::Leaf(_)) => {
                return Err(FormError::new(
                    key,
                    format!("Parameter {key} was given more than once."),
                ))
            }
            Some(Node::Map(_)) => {
                return Err(FormError::new(
                    key,
                    format!("Parameter {key} conflicts with nested keys."),
                ))
            }
            None => {}
        }
        map.insert(segment, Node::Leaf(value));
        return Ok(());
    }
    let child = map
        .entry(segment)
        .or_insert_with(|| Node::Map(BTreeMap::new()));
    match child {
        Node::Map(inner) => insert(inner, key, rest, value),
        Node::Leaf(_) => Err(FormError::new(
            key,
            format!("Parameter {key} conflicts with a plain value of the same name."),
        )),
    }
}

impl Node {
    /// The string value, if this is a leaf.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Leaf(s) => Some(s),
            Node::Map(_) => None,
        }
    }

    /// The children, if this is a map.
    pub fn as_map(&self) -> Option<&BTreeMap<String, Node>> {
        match self {
            Node::Map(m) => Some(m),
            Node::Leaf(_) => None,
        }
    }

    /// A map keyed `0..n` read as a list in index order; `None` if any key is not an index or
    /// the indices have gaps.
    pub fn list(&self) -> Option<Vec<&Node>> {
        let map = self.as_map()?;
        let mut indexed = map
            .iter()
            .map(|(k, v)| Some((k.parse::<usize>().ok()?, v)))
            .collect::<Option<Vec<_>>>()?;
        indexed.sort_by_key(|(i, _)| *i);
        let contiguous = indexed.iter().enumerate().all(|(pos, (i, _))| pos == *i);
        contiguous.then(|| indexed.into_iter().map(|(_, v)| v).collect())
    }

    /// The child at `name`, if this is a map holding it.
    pub fn get(&self, name: &str) -> Option<&Node> {
        self.as_map()?.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(s: &str) -> Node {
        Node::Leaf(s.to_owned())
    }

    #[test]
    fn nests_bracketed_keys_and_decodes_values() {
        let body = "mode=payment\
            &line_items[0][quantity]=2\
            &line_items[0][price_data][currency]=eur\
            &line_items[0][price_data][product_data][name]=Blue+mug+%26+saucer\
            &line_items[1][quantity]=1\
            &metadata[order_id]=ord_42\
            &success_url=https%3A%2F%2Fshop.test%2Fok%3Fs%3D%7BCHECKOUT_SESSION_ID%7D";
        let form = parse(body.as_bytes()).unwrap();
        assert_eq!(form["mode"], leaf("payment"));
        assert_eq!(
            form["success_url"],
            leaf("https://shop.test/ok?s={CHECKOUT_SESSION_ID}")
        );
        assert_eq!(form["metadata"].get("order_id"), Some(&leaf("ord_42")));
        let items = form["line_items"].list().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].get("quantity"), Some(&leaf("2")));
        let name = items[0]
            .get("price_data")
            .and_then(|p| p.get("product_data")?.get("name"));
        assert_eq!(name, Some(&leaf("Blue mug & saucer")));
        assert_eq!(items[1].get("quantity"), Some(&leaf("1")));
    }

    #[test]
    fn brackets_may_be_percent_encoded() {
        let form = parse(b"metadata%5Border_id%5D=7").unwrap();
        assert_eq!(form["metadata"].get("order_id"), Some(&leaf("7")));
    }

    #[test]
    fn lists_come_back_in_numeric_order_and_require_contiguous_indices() {
        let keys: String = (0..12).rev().map(|i| format!("a[{i}]={i}&")).collect();
        let form = parse(keys.as_bytes()).unwrap();
        let values: Vec<_> = form["a"]
            .list()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        let expected: Vec<String> = (0..12).map(|i| i.to_string()).collect();
        assert_eq!(values, expected);

        assert_eq!(parse(b"a[0]=x&a[2]=y").unwrap()["a"].list(), None);
        assert_eq!(parse(b"a[x]=1").unwrap()["a"].list(), None);
        assert_eq!(parse(b"a=1").unwrap()["a"].list(), None);
    }

    #[test]
    fn empty_brackets_append() {
        let form = parse(b"expand[]=line_items&expand[]=payment_intent").unwrap();
        let list = form["expand"].list().unwrap();
        assert_eq!(list, vec![&leaf("line_items"), &leaf("payment_intent")]);
    }

    #[test]
    fn rejects_malformed_duplicate_and_conflicting_keys() {
        for (body, param) in [
            ("a[0=1", "a[0"),
            ("[0]=1", "[0]"),
            ("a]=1", "a]"),
            ("a[b]c=1", "a[b]c"),
            ("a[[b]]=1", "a[[b]]"),
            ("a=1&a=2", "a"),
            ("a=1&a[b]=2", "a[b]"),
        ] {
            let err = parse(body.as_bytes()).unwrap_err();
            assert_eq!(err.param, param, "{body}");
        }
    }
}
