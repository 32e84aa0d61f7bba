//! Country names as shoppers read them, for the destination select, the order page and the
//! admin. A small table of the countries shops here commonly ship to; any other code shows as
//! itself (`JP`), which is still clear and never wrong.

use domain::settings::Country;

/// The English name of a country, by its ISO 3166-1 alpha-2 code (`"FR"` → `"France"`).
pub fn country_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "AT" => "Austria",
        "AU" => "Australia",
        "BE" => "Belgium",
        "CA" => "Canada",
        "CH" => "Switzerland",
        "CZ" => "Czechia",
        "DE" => "Germany",
        "DK" => "Denmark",
        "ES" => "Spain",
        "FI" => "Finland",
        "FR" => "France",
        "GB" => "United Kingdom",
        "GR" => "Greece",
        "IE" => "Ireland",
        "IT" => "Italy",
        "JP" => "Japan",
        "LU" => "Luxembourg",
        "NL" => "Netherlands",
        "NO" => "Norway",
        "NZ" => "New Zealand",
        "PL" => "Poland",
        "PT" => "Portugal",
        "SE" => "Sweden",
        "US" => "United States",
        _ => return None,
    })
}

/// A country's name, else its code.
pub fn country_label(code: &str) -> String {
    country_name(code).unwrap_or(code).to_owned()
}

/// The destination select's choices, `(code, shown name)`, sorted by the shown name; `current`
/// is among them even if the list lacks it.
pub fn country_choices(countries: &[Country], current: &Country) -> Vec<(String, String)> {
    let mut choices: Vec<(String, String)> = countries
        .iter()
        .chain((!countries.contains(current)).then_some(current))
        .map(|c| (c.code().to_owned(), country_label(c.code())))
        .collect();
    choices.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    choices.dedup();
    choices
}

/// An address's printable lines with the last one, the country's code, as its name.
pub fn address_lines(mut lines: Vec<String>) -> Vec<String> {
    if let Some(last) = lines.last_mut() {
        if let Some(name) = country_name(last.trim()) {
            *last = name.to_owned();
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(code: &str) -> Country {
        Country::parse(code).expect("country")
    }

    #[test]
    fn choices_are_named_sorted_by_name_and_hold_the_current_country() {
        let list = [c("GB"), c("DE"), c("XK"), c("AT"), c("FR")];
        let choices = country_choices(&list, &c("NL"));
        let shown: Vec<&str> = choices.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(
            shown,
            [
                "Austria",
                "France",
                "Germany",
                "Netherlands",
                "United Kingdom",
                "XK"
            ]
        );
        assert_eq!(choices[2], ("DE".to_owned(), "Germany".to_owned()));
        assert_eq!(country_choices(&list, &c("DE")).len(), list.len());
    }

    #[test]
    fn the_common_codes_have_names_and_others_show_as_codes() {
        for code in ["DE", "FR", "NL", "BE", "AT", "LU", "GB", "US", "IT", "ES"] {
            assert!(country_name(code).is_some(), "{code}");
        }
        assert_eq!(country_label("XK"), "XK");
        let lines = vec!["Ada".to_owned(), "75001 Paris".to_owned(), "FR".to_owned()];
        assert_eq!(address_lines(lines), ["Ada", "75001 Paris", "France"]);
        assert_eq!(address_lines(vec!["QQ".to_owned()]), ["QQ"]);
    }
}
