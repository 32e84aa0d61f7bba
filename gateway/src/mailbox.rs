//! E-mail addresses as Postmark takes them: `ada@shop.example` or `Ada <ada@shop.example>`,
//! alone or in comma-separated lists (a comma inside a quoted name, as in
//! `"Lovelace, Ada" <ada@shop.example>`, does not separate).
//!
//! The check is the sandbox's, not RFC 5322's: an address needs something before its `@`, a
//! domain of dot-separated labels of letters, digits and hyphens, and no spaces or specials.
//! That is enough to catch the mistakes a shop makes (an empty field, a name without its
//! address, a missing `@`) without refusing addresses Postmark would take.

/// Most recipients one field may name, as at Postmark.
pub const MAX_RECIPIENTS: usize = 50;

/// The bare addresses of the mailboxes in `list`, in order; an error says which entry is wrong
/// and why, e.g. `'ada' is not a valid e-mail address (no '@')`.
pub fn addresses(list: &str) -> Result<Vec<String>, String> {
    let entries = split(list);
    if entries.len() > MAX_RECIPIENTS {
        return Err(format!(
            "has {} addresses, more than the {MAX_RECIPIENTS} allowed",
            entries.len()
        ));
    }
    entries.into_iter().map(address).collect()
}

/// The bare address of one mailbox, `ada@shop.example` or `Name <ada@shop.example>`.
pub fn address(mailbox: &str) -> Result<String, String> {
    let mailbox = mailbox.trim();
    if mailbox.is_empty() {
        return Err("has an empty address".to_owned());
    }
    let invalid = |why: &str| format!("'{mailbox}' is not a valid e-mail address ({why})");
    let bare = match mailbox.strip_suffix('>') {
        Some(rest) => {
            let open = rest
                .rfind('<')
                .ok_or_else(|| invalid("a '>' without its '<'"))?;
            let name = rest[..open].trim();
            if outside_quotes(name).any(|c| c == '<' || c == '>') {
                return Err(invalid("stray angle brackets in the name"));
            }
            rest[open + 1..].trim()
        }
        None if mailbox.contains('<') => return Err(invalid("a '<' without its '>'")),
        None => mailbox,
    };
    check(bare).map_err(invalid)?;
    Ok(bare.to_owned())
}

/// Splits `list` at the commas outside double quotes and angle brackets.
fn split(list: &str) -> Vec<&str> {
    let (mut entries, mut start) = (Vec::new(), 0);
    let (mut quoted, mut escaped, mut angle) = (false, false, false);
    for (i, c) in list.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' if !quoted && !angle => {
                entries.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    entries.push(&list[start..]);
    entries
}

/// The characters of `name` that are not inside double quotes (where `\` escapes).
fn outside_quotes(name: &str) -> impl Iterator<Item = char> + '_ {
    let (mut quoted, mut escaped) = (false, false);
    name.chars().filter(move |&c| {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => {
                quoted = !quoted;
                return false;
            }
            _ => {}
        }
        !quoted
    })
}

/// Why `address` (without a name) is not an address, if it is not.
fn check(address: &str) -> Result<(), &'static str> {
    if address.is_empty() {
        return Err("no address between '<' and '>'");
    }
    if address.chars().count() > 254 {
        return Err("longer than 254 characters");
    }
    let (local, domain) = address.rsplit_once('@').ok_or("no '@'")?;
    if local.is_empty() {
        return Err("nothing before the '@'");
    }
    let special = |c: char| c.is_whitespace() || c.is_control() || "()<>,;:\\\"[]@".contains(c);
    if local.chars().any(special)
        || local.starts_with('.')
        || local.ends_with('.')
        || local.contains("..")
    {
        return Err("spaces, specials or misplaced dots before the '@'");
    }
    if domain.is_empty() {
        return Err("nothing after the '@'");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err("a domain without a dot");
    }
    let good_label = |label: &&str| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    if !labels.iter().all(good_label) {
        return Err("an invalid domain");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_bare_and_named_addresses() {
        assert_eq!(address(" ada@shop.example ").unwrap(), "ada@shop.example");
        assert_eq!(
            address("Ada Lovelace <ada+receipts@mail.shop.example>").unwrap(),
            "ada+receipts@mail.shop.example"
        );
        assert_eq!(
            address("\"Lovelace, <Ada>\" <a.l@shop.example>").unwrap(),
            "a.l@shop.example"
        );
        assert_eq!(address("<x@b.co>").unwrap(), "x@b.co");
        assert_eq!(address("zoë@bücher.example").unwrap(), "zoë@bücher.example");
    }

    #[test]
    fn refuses_what_is_not_an_address_and_says_why() {
        for (mailbox, why) in [
            ("ada", "no '@'"),
            ("@shop.example", "nothing before the '@'"),
            ("ada@", "nothing after the '@'"),
            ("ada@localhost", "a domain without a dot"),
            ("ada@shop..example", "an invalid domain"),
            ("ada@-shop.example", "an invalid domain"),
            ("ada lovelace@shop.example", "spaces, specials"),
            ("ada.@shop.example", "misplaced dots"),
            ("Ada <ada@shop.example", "a '<' without its '>'"),
            ("Ada ada@shop.example>", "a '>' without its '<'"),
            ("Ada <>", "no address between"),
            ("A<d>a <ada@shop.example>", "stray angle brackets"),
        ] {
            let error = address(mailbox).unwrap_err();
            assert!(
                error.starts_with(&format!("'{mailbox}' is not a valid e-mail address (")),
                "{error}"
            );
            assert!(error.contains(why), "{mailbox}: {error}");
        }
        assert_eq!(address("  ").unwrap_err(), "has an empty address");
        let long = format!("{}@shop.example", "a".repeat(250));
        assert!(address(&long).unwrap_err().contains("longer than 254"));
    }

    #[test]
    fn splits_lists_at_commas_outside_names() {
        assert_eq!(
            addresses("ada@shop.example, \"Babbage, Charles\" <cb@shop.example>,Eve <e@x.io>")
                .unwrap(),
            ["ada@shop.example", "cb@shop.example", "e@x.io"]
        );
        assert_eq!(
            addresses(r#""A \"quoted\", name" <q@x.io>"#).unwrap(),
            ["q@x.io"]
        );
        assert_eq!(
            addresses("ada@shop.example,").unwrap_err(),
            "has an empty address"
        );
        assert!(addresses("ada@shop.example, bob")
            .unwrap_err()
            .starts_with("'bob' is not"));
        let many = vec!["a@b.co"; MAX_RECIPIENTS + 1].join(",");
        assert_eq!(
            addresses(&many).unwrap_err(),
            "has 51 addresses, more than the 50 allowed"
        );
        assert_eq!(addresses(&many[7..]).unwrap().len(), MAX_RECIPIENTS);
    }
}
