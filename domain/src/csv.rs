//! Catalog import from CSV: one row per variant, for merchants who keep products in a
//! spreadsheet. Currency and collections come from the current catalog; the file carries
//! products.
//!
//! Columns (header row required, any order; `|` separates list values):
//!
//! | column | meaning |
//! |---|---|
//! | `handle` | product handle; rows with the same handle are variants of one product |
//! | `title`, `description`, `tags`, `collections`, `featured`, `created_at`, `image_src`, `image_alt`, `options` | product fields, read from the product's first row (later rows may leave them empty) |
//! | `sku`, `option_values`, `price`, `stock` | the variant: price in minor units, stock a whole number |
//! | `variant_image_src`, `variant_image_alt` | optional: the variant's own picture |
//!
//! Every problem is reported with its row (the header is row 1) and column; any problem
//! rejects the whole file.

use crate::catalog::{Catalog, Collection, Image, Problem, Product, Variant};
use crate::ids::{Handle, Sku};
use crate::money::Currency;

pub const COLUMNS: [&str; 13] = [
    "handle",
    "title",
    "description",
    "tags",
    "collections",
    "featured",
    "created_at",
    "image_src",
    "image_alt",
    "options",
    "sku",
    "option_values",
    "price",
];
/// Optional columns.
pub const OPTIONAL: [&str; 3] = ["stock", "variant_image_src", "variant_image_alt"];

/// Splits CSV text into records (RFC 4180: quoted fields, doubled quotes, CRLF or LF, read by
/// the `csv` crate), one per row of the file: the record at index `i` is row `i + 1`. A quoted
/// field's line breaks do not start rows; blank lines, which the reader skips, come back as
/// empty records so that the rows after them keep their numbers.
pub fn records(text: &str) -> Result<Vec<Vec<String>>, Problem> {
    use std::io::Read as _;
    // The reader takes a quoted field left open to the end of its input without complaint. After
    // the text, this line is a record of its own, unless an open quoted field swallows it.
    const END: &str = "\nend";
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes().chain(END.as_bytes()));
    let mut rows = Rows::new(text);
    let mut out: Vec<Vec<String>> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let row = match e.position().map(|p| usize::try_from(p.byte())) {
                Some(Ok(byte)) => rows.row_at(byte),
                _ => out.len() + 1,
            };
            Problem::new(format!("row {row}"), e.to_string())
        })?;
        let byte = record.position().map_or(text.len(), |p| {
            usize::try_from(p.byte()).unwrap_or(usize::MAX)
        });
        if rows.start(byte) == text.len() {
            return Ok(out);
        }
        let row = rows.row_at(byte);
        out.resize(row - 1, vec![String::new()]);
        let fields: Vec<String> = record.iter().map(str::to_owned).collect();
        rows.inside(&fields);
        out.push(fields);
    }
    Err(Problem::new(
        format!("row {}", out.len()),
        "a quoted field is not closed",
    ))
}

/// Rows of the file by byte offset: line breaks (`\r\n`, `\n` or a lone `\r`, as the reader
/// ends records) less those inside quoted fields. Offsets are asked in increasing order.
struct Rows<'a> {
    text: &'a [u8],
    /// How far `breaks` has counted.
    scanned: usize,
    /// Line breaks in `text[..scanned]`.
    breaks: usize,
    /// Line breaks inside the fields of the records read so far.
    quoted: usize,
}

impl<'a> Rows<'a> {
    fn new(text: &'a str) -> Self {
        Rows {
            text: text.as_bytes(),
            scanned: 0,
            breaks: 0,
            quoted: 0,
        }
    }

    /// Where the record read from `byte` on begins: after the blank lines the reader skipped.
    fn start(&self, byte: usize) -> usize {
        let byte = byte.min(self.text.len());
        byte + self.text[byte..]
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count()
    }

    /// The row of the record read from `byte` on.
    fn row_at(&mut self, byte: usize) -> usize {
        let start = self.start(byte).max(self.scanned);
        self.breaks += line_breaks(&self.text[self.scanned..start]);
        self.scanned = start;
        1 + self.breaks.saturating_sub(self.quoted)
    }

    /// Counts the line breaks inside a record's fields, which do not start rows.
    fn inside(&mut self, fields: &[String]) {
        self.quoted += fields
            .iter()
            .map(|f| line_breaks(f.as_bytes()))
            .sum::<usize>();
    }
}

fn line_breaks(s: &[u8]) -> usize {
    s.iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && s.get(i + 1) != Some(&b'\n')))
        .count()
}

fn list(s: &str) -> Vec<String> {
    s.split('|')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Reads products from CSV into a catalog with `currency` and `collections`, validated whole.
pub fn catalog_from_csv(
    text: &str,
    currency: Currency,
    collections: Vec<Collection>,
) -> Result<Catalog, Vec<Problem>> {
    let rows = records(text).map_err(|p| vec![p])?;
    let Some((header, body)) = rows.split_first() else {
        return Err(vec![Problem::new(
            "row 1",
            "the file is empty: a header row is required",
        )]);
    };
    let header: Vec<String> = header
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let mut problems = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if !COLUMNS.contains(&h.as_str()) && !OPTIONAL.contains(&h.as_str()) {
            problems.push(Problem::new(
                format!("row 1, column {}", i + 1),
                format!("unknown column {h:?}"),
            ));
        }
    }
    for c in COLUMNS {
        if !header.iter().any(|h| h == c) {
            problems.push(Problem::new("row 1", format!("missing column {c:?}")));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let col = |name: &str| header.iter().position(|h| h == name);
    // (product index, variant index) → CSV row, to place the validation's problems.
    let mut places: Vec<(usize, usize, usize)> = Vec::new();
    let mut products: Vec<Product> = Vec::new();
    for (i, record) in body.iter().enumerate() {
        let row = i + 2;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            problems.push(Problem::new(
                format!("row {row}"),
                format!(
                    "has {} fields, the header has {}",
                    record.len(),
                    header.len()
                ),
            ));
            continue;
        }
        let get = |name: &str| col(name).map(|c| record[c].trim()).unwrap_or("");
        let at = |name: &str| format!("row {row}, {name}");
        let handle = match Handle::parse(get("handle")) {
            Ok(h) => h,
            Err(e) => {
                problems.push(Problem::new(at("handle"), e.to_string()));
                continue;
            }
        };
        let sku = match Sku::parse(get("sku")) {
            Ok(s) => Some(s),
            Err(e) => {
                problems.push(Problem::new(at("sku"), e.to_string()));
                None
            }
        };
        let price = match get("price").parse::<i64>() {
            Ok(p) => Some(p),
            Err(_) => {
                problems.push(Problem::new(
                    at("price"),
                    format!("{:?} is not a whole number of minor units", get("price")),
                ));
                None
            }
        };
        let stock = match get("stock") {
            "" => Some(0),
            s => match s.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    problems.push(Problem::new(
                        at("stock"),
                        format!("{s:?} is not a whole number"),
                    ));
                    None
                }
            },
        };
        let (Some(sku), Some(price), Some(stock)) = (sku, price, stock) else {
            continue;
        };
        let variant = Variant {
            sku,
            options: list(get("option_values")),
            price,
            stock,
            image: match get("variant_image_src") {
                "" => None,
                src => Some(Image {
                    src: src.to_owned(),
                    alt: get("variant_image_alt").to_owned(),
                }),
            },
        };
        let index = match products.iter().position(|p| p.handle == handle) {
            Some(p) => p,
            None => {
                let featured = match get("featured").to_ascii_lowercase().as_str() {
                    "" | "false" | "no" | "0" => false,
                    "true" | "yes" | "1" => true,
                    other => {
                        problems.push(Problem::new(
                            at("featured"),
                            format!("{other:?} is not true or false"),
                        ));
                        false
                    }
                };
                let mut collections_of = Vec::new();
                for c in list(get("collections")) {
                    match Handle::parse(&c) {
                        Ok(h) => collections_of.push(h),
                        Err(e) => problems.push(Problem::new(at("collections"), e.to_string())),
                    }
                }
                let images = match get("image_src") {
                    "" => Vec::new(),
                    src => vec![Image {
                        src: src.to_owned(),
                        alt: get("image_alt").to_owned(),
                    }],
                };
                products.push(Product {
                    handle: handle.clone(),
                    title: get("title").to_owned(),
                    description: get("description").to_owned(),
                    tags: list(get("tags")),
                    collections: collections_of,
                    featured,
                    created_at: get("created_at").to_owned(),
                    images,
                    options: list(get("options")),
                    variants: Vec::new(),
                });
                products.len() - 1
            }
        };
        places.push((index, products[index].variants.len(), row));
        products[index].variants.push(variant);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let catalog = Catalog {
        currency,
        collections,
        products,
        settings: None,
    };
    catalog.validate().map_err(|problems| {
        problems
            .into_iter()
            .map(|p| locate(p, &places))
            .collect::<Vec<_>>()
    })?;
    Ok(catalog)
}

/// Turns `products[3].variants[1].price` into `row 9, price` using where each variant came from.
fn locate(p: Problem, places: &[(usize, usize, usize)]) -> Problem {
    let num = |s: &str, key: &str| -> Option<usize> {
        let start = s.find(key)? + key.len();
        s[start..].split(']').next()?.parse().ok()
    };
    let product = num(&p.path, "products[");
    let variant = num(&p.path, "variants[").unwrap_or(0);
    let last = p
        .path
        .rsplit('.')
        .next()
        .unwrap_or("")
        .split('[')
        .next()
        .unwrap_or("");
    // A variant's picture is its own pair of columns.
    let field = if p.path.contains(".image.") {
        format!("variant_image_{last}")
    } else {
        last.to_owned()
    };
    match product.and_then(|pi| places.iter().find(|(i, v, _)| *i == pi && *v == variant)) {
        Some((_, _, row)) => Problem::new(format!("row {row}, {field}"), p.message),
        None => p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "handle,title,description,tags,collections,featured,created_at,image_src,image_alt,options,sku,option_values,price,stock";

    fn collections() -> Vec<Collection> {
        vec![Collection {
            handle: Handle::parse("home").unwrap(),
            title: "Home".into(),
            description: String::new(),
        }]
    }

    #[test]
    fn rows_become_products_with_variants() {
        let text = format!(
            "{HEADER}\r\nmug,\"Mug, \"\"big\"\"\",A mug.,kitchen|gift,home,yes,2025-01-02,/m.svg,A mug,Colour,MUG-RED,Red,1500,4\nmug,,,,,,,,,,MUG-BLUE,Blue,1600,0\n"
        );
        let c = catalog_from_csv(&text, Currency::EUR, collections()).unwrap();
        assert_eq!(c.products.len(), 1);
        let p = &c.products[0];
        assert_eq!(p.title, "Mug, \"big\"");
        assert_eq!(p.tags, vec!["kitchen", "gift"]);
        assert!(p.featured);
        assert_eq!(p.variants.len(), 2);
        assert_eq!(p.variants[1].price, 1600);
        assert_eq!(p.variants[1].options, vec!["Blue"]);
    }

    #[test]
    fn every_problem_has_its_row_and_column() {
        let text = format!(
            "{HEADER}\nmug,Mug,,,home,no,2025-01-02,,,Colour,MUG-RED,Red,12.5,1\nmug,,,,,,,,,,MUG-RED,Blue,-3,x\nbad handle!,T,,,,,2025-01-02,,,,S-1,,100,1\n"
        );
        let problems = catalog_from_csv(&text, Currency::EUR, collections()).unwrap_err();
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert!(paths.contains(&"row 2, price"), "{paths:?}");
        assert!(paths.contains(&"row 3, stock"), "{paths:?}");
        assert!(paths.contains(&"row 4, handle"), "{paths:?}");
    }

    #[test]
    fn variants_may_carry_their_own_picture() {
        let text = format!(
            "{HEADER},variant_image_src,variant_image_alt\nmug,Mug,,,home,no,2025-01-02,/m.svg,A mug,Colour,MUG-RED,Red,100,1,/red.svg,A red mug\nmug,,,,,,,,,,MUG-BLUE,Blue,100,1,,\nmug,,,,,,,,,,MUG-INK,Ink,100,1,ftp://x,\n"
        );
        let problems = catalog_from_csv(&text, Currency::EUR, collections()).unwrap_err();
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            ["row 4, variant_image_src", "row 4, variant_image_alt"]
        );
        let good = text.replace(",ftp://x,", ",,");
        let c = catalog_from_csv(&good, Currency::EUR, collections()).unwrap();
        let mug = &c.products[0];
        assert_eq!(
            mug.variants[0].image.as_ref().map(|i| i.alt.as_str()),
            Some("A red mug")
        );
        assert_eq!(mug.variants[1].image, None);
        assert_eq!(
            mug.image_for(&mug.variants[1]).map(|i| i.src.as_str()),
            Some("/m.svg")
        );
    }

    #[test]
    fn validation_problems_point_at_rows() {
        let text = format!("{HEADER}\nmug,Mug,,,home,no,2025-01-02,,,Colour,MUG-RED,Red,100,1\nmug,,,,,,,,,,MUG-RED,Blue,-5,1\n");
        let problems = catalog_from_csv(&text, Currency::EUR, collections()).unwrap_err();
        assert!(
            problems.iter().any(|p| p.path.starts_with("row 3")),
            "{problems:?}"
        );
    }

    #[test]
    fn header_problems() {
        assert!(catalog_from_csv("", Currency::EUR, vec![]).is_err());
        let problems = catalog_from_csv("handle,colour\n", Currency::EUR, vec![]).unwrap_err();
        assert!(problems
            .iter()
            .any(|p| p.message.contains("unknown column \"colour\"")));
        assert!(problems
            .iter()
            .any(|p| p.message.contains("missing column \"sku\"")));
        assert!(records("a,\"b\n").is_err());
    }

    #[test]
    fn records_are_rows_of_the_file() {
        let rows = records("a,b\r\n\r\n\"x\r\ny\",\"say \"\"hi\"\"\"\n\nc\n\n").unwrap();
        assert_eq!(
            rows,
            [
                vec!["a", "b"],
                vec![""],
                vec!["x\r\ny", "say \"hi\""],
                vec![""],
                vec!["c"],
            ]
        );
        assert_eq!(records("").unwrap(), Vec::<Vec<String>>::new());
        assert_eq!(records("a,\"b\"").unwrap(), [vec!["a", "b"]]);
        assert_eq!(
            records("a\rb\r\rc").unwrap(),
            [vec!["a"], vec!["b"], vec![""], vec!["c"]]
        );
        // A field that only looks like the reader's end marker is kept.
        assert_eq!(records("end\nend").unwrap(), [vec!["end"], vec!["end"]]);
    }

    #[test]
    fn an_open_quoted_field_names_its_row() {
        let problem = records("a,b\n\"c\nd\",e\nf,\"g\nh\n").unwrap_err();
        assert_eq!(problem.path, "row 3");
        assert_eq!(problem.message, "a quoted field is not closed");
        assert_eq!(records("a,\"b\"\"\n").unwrap_err().path, "row 1");
    }

    #[test]
    fn rows_after_a_quoted_field_spanning_lines_keep_their_numbers() {
        let text = format!(
            "{HEADER}\nmug,Mug,\"A mug.\nIt holds tea.\r\nAnd coffee.\",,home,no,2025-01-02,,,Colour,MUG-RED,Red,100,1\n\nmug,,,,,,,,,,MUG-BLUE,Blue,1.5,1\nmug,,,,,,,,,,MUG-INK,Ink\n"
        );
        let problems = catalog_from_csv(&text, Currency::EUR, collections()).unwrap_err();
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["row 4, price", "row 5"]);
        assert_eq!(problems[1].message, "has 12 fields, the header has 14");
        let good = text.replace("1.5", "150").replace(",Ink\n", ",Ink,100,1\n");
        let c = catalog_from_csv(&good, Currency::EUR, collections()).unwrap();
        assert_eq!(
            c.products[0].description,
            "A mug.\nIt holds tea.\r\nAnd coffee."
        );
        assert_eq!(c.products[0].variants.len(), 3);
    }
}
