//! Where the bytes of a wasm module go (`wasm-size FILE [TOP]`, and `make bench`).
//!
//! Prints a Markdown table of the module's sections, then the code section's function bodies
//! grouped by the crate their name starts with (from the `name` custom section, so the file must
//! be an unstripped build: the deployed Worker is stripped, its twin under `target/` is not).
//!
//! A function's crate is the first path segment of its demangled name, looking through
//! `<T as Trait>` to `T`; closures and generic instances are charged to the crate whose code they
//! are, which is where a change would shrink them. Functions without a name are "(unnamed)".

pub mod wasm;

use std::collections::HashMap;

fn kib(n: usize) -> String {
    format!("{:.1} KiB", n as f64 / 1024.0)
}

/// The Markdown tables: sections, then code by crate (the `top` largest, the rest summed).
pub fn report(m: &wasm::Module, total: usize, top: usize) -> String {
    let mut out = String::new();
    out.push_str("| Section | Bytes | Share |\n|---|--:|--:|\n");
    for s in &m.sections {
        out.push_str(&format!(
            "| {} | {} | {:.1}% |\n",
            s.name,
            kib(s.size),
            100.0 * s.size as f64 / total as f64
        ));
    }
    out.push_str(&format!("| **total** | **{}** | |\n\n", kib(total)));
    if m.names.is_empty() {
        out.push_str("No `name` section: a stripped build carries no function names.\n");
        return out;
    }
    let code: usize = m.bodies.iter().map(|b| b.1).sum();
    let mut by_crate: HashMap<String, (usize, usize)> = HashMap::new();
    for (index, size) in &m.bodies {
        let krate = m
            .names
            .get(index)
            .map_or_else(|| "(unnamed)".to_owned(), |n| crate_of(n).to_owned());
        let e = by_crate.entry(krate).or_default();
        e.0 += size;
        e.1 += 1;
    }
    let mut rows: Vec<_> = by_crate.into_iter().collect();
    rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
    out.push_str("| Crate | Code | Share of code | Functions |\n|---|--:|--:|--:|\n");
    let (mut rest, mut rest_fns) = (0, 0);
    for (i, (krate, (size, fns))) in rows.iter().enumerate() {
        if i < top {
            out.push_str(&format!(
                "| {krate} | {} | {:.1}% | {fns} |\n",
                kib(*size),
                100.0 * *size as f64 / code as f64
            ));
        } else {
            rest += size;
            rest_fns += fns;
        }
    }
    if rest > 0 {
        out.push_str(&format!(
            "| (others) | {} | {:.1}% | {rest_fns} |\n",
            kib(rest),
            100.0 * rest as f64 / code as f64
        ));
    }
    out.push_str(&format!(
        "| **code section** | **{}** | | **{}** |\n",
        kib(code),
        m.bodies.len()
    ));
    out
}

/// The `n` largest function bodies, largest first, as a Markdown table (for finding what to cut).
pub fn largest(m: &wasm::Module, n: usize) -> String {
    let mut bodies: Vec<_> = m.bodies.iter().collect();
    bodies.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out = String::from("| Function | Bytes |\n|---|--:|\n");
    for (index, size) in bodies.into_iter().take(n) {
        let name = m.names.get(index).map_or("(unnamed)", String::as_str);
        let name: String = name.chars().take(160).collect();
        out.push_str(&format!("| `{}` | {size} |\n", name.replace('|', "\\|")));
    }
    out
}

/// The crate a demangled function name belongs to.
fn crate_of(name: &str) -> &str {
    let s = strip_prefixes(name);
    let head = leading_ident(s);
    if head.is_empty() {
        return name;
    }
    let rest = &s[head.len()..];
    // `<T as tachys::RenderHtml>::…`, `<f64 as core::fmt::Display>::fmt`: a generic parameter or
    // a primitive has no crate of its own; the trait's is where the code comes from.
    if let Some(after) = rest.strip_prefix(" as ") {
        let t = leading_ident(strip_prefixes(after));
        if !t.is_empty() {
            return t;
        }
    }
    if rest.starts_with("::") || rest.starts_with('<') || rest.starts_with('[') {
        head
    } else {
        // A bare symbol: an allocator or C function, an import shim, an intrinsic.
        "(symbols)"
    }
}

fn strip_prefixes(s: &str) -> &str {
    let mut s = s.trim_start_matches(['<', '&', '_', '(', '*', ' ']);
    for prefix in ["mut ", "const ", "dyn ", "impl "] {
        s = s.strip_prefix(prefix).unwrap_or(s);
    }
    s.trim_start_matches(['<', '&', '(', '*', ' '])
}

fn leading_ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The report of the wasm file at `path`, or why it cannot be read.
pub fn report_file(path: &std::path::Path, top: usize, functions: usize) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let module = wasm::Module::parse(&bytes)
        .map_err(|e| format!("{}: not a wasm module I can read: {e}", path.display()))?;
    let mut out = report(&module, bytes.len(), top);
    if functions > 0 {
        out.push('\n');
        out.push_str(&largest(&module, functions));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::crate_of;

    #[test]
    fn crates_of_demangled_names() {
        assert_eq!(
            crate_of("tachys::html::element::Foo::to_html::h12"),
            "tachys"
        );
        assert_eq!(
            crate_of("<alloc::vec::Vec<T> as serde::ser::Serialize>::serialize::h1"),
            "alloc"
        );
        assert_eq!(
            crate_of("<&mut serde_json::de::Deserializer<R>>::x"),
            "serde_json"
        );
        assert_eq!(crate_of("core::fmt::write::h9"), "core");
        assert_eq!(crate_of("memcpy"), "(symbols)");
        assert_eq!(
            crate_of("<T as tachys::view::any_view::IntoAny>::into_any::h1"),
            "tachys"
        );
        assert_eq!(
            crate_of("<f64 as core[c5930c85a12de822]::fmt::Display>::fmt"),
            "core"
        );
        assert_eq!(
            crate_of("<dlmalloc[e24a27700634d609]::dlmalloc::Dlmalloc<A>>::malloc"),
            "dlmalloc"
        );
    }
}
