//! The shipping address part of the hosted payment page, for sessions with
//! `shipping_address_collection`: its inputs, reading them back from the POSTed form, and what a
//! failed attempt shows again.
//!
//! | Label | Field of `POST /pay/{id}` | Required |
//! |---|---|---|
//! | Full name | `name` | yes |
//! | Address | `line1` | yes |
//! | Address line 2 (optional) | `line2` | no |
//! | Postal code | `postal_code` | yes |
//! | City | `city` | yes |
//! | Country (a `<select>` of the allowed countries, by code) | `country` | yes |

use crate::page::escape;
use crate::shipping::{Address, AddressCollection, AddressError, ShippingDetails};

/// The address as the buyer typed it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Typed {
    pub name: String,
    pub line1: String,
    pub line2: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
}

/// What went wrong with an attempt to pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The card's message (declined, invalid).
    Card(&'static str),
    /// The address is incomplete or outside the allowed countries.
    Address(AddressError),
}

/// An attempt to pay, for showing the page (again): what was typed and what went wrong. The
/// default is a fresh page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attempt {
    pub typed: Typed,
    pub problem: Option<Problem>,
}

/// A text input of the address form: id and name, label, `autocomplete` token.
struct Input {
    field: &'static str,
    label: &'static str,
    autocomplete: &'static str,
    required: bool,
}

const INPUTS: [Input; 5] = [
    Input {
        field: "name",
        label: "Full name",
        autocomplete: "shipping name",
        required: true,
    },
    Input {
        field: "line1",
        label: "Address",
        autocomplete: "shipping address-line1",
        required: true,
    },
    Input {
        field: "line2",
        label: "Address line 2 (optional)",
        autocomplete: "shipping address-line2",
        required: false,
    },
    Input {
        field: "postal_code",
        label: "Postal code",
        autocomplete: "shipping postal-code",
        required: true,
    },
    Input {
        field: "city",
        label: "City",
        autocomplete: "shipping address-level2",
        required: true,
    },
];

impl Typed {
    /// The address fields of a urlencoded body (the first value of each).
    pub fn from_body(body: &[u8]) -> Typed {
        let mut typed = Typed::default();
        let mut seen = Vec::new();
        for (key, value) in form_urlencoded::parse(body) {
            if seen.contains(&key) {
                continue;
            }
            if let Some(slot) = typed.slot(&key) {
                *slot = value.to_string();
                seen.push(key);
            }
        }
        typed
    }

    /// The typed address as shipping details, to be checked.
    pub fn details(&self) -> ShippingDetails {
        ShippingDetails {
            name: self.name.clone(),
            address: Address {
                line1: self.line1.clone(),
                line2: Some(self.line2.clone()),
                city: self.city.clone(),
                postal_code: self.postal_code.clone(),
                state: None,
                country: self.country.clone(),
            },
        }
    }

    fn value(&self, field: &str) -> &str {
        match field {
            "name" => &self.name,
            "line1" => &self.line1,
            "line2" => &self.line2,
            "postal_code" => &self.postal_code,
            "city" => &self.city,
            "country" => &self.country,
            _ => "",
        }
    }

    fn slot(&mut self, field: &str) -> Option<&mut String> {
        match field {
            "name" => Some(&mut self.name),
            "line1" => Some(&mut self.line1),
            "line2" => Some(&mut self.line2),
            "postal_code" => Some(&mut self.postal_code),
            "city" => Some(&mut self.city),
            "country" => Some(&mut self.country),
            _ => None,
        }
    }
}

/// The address fieldset for `collection`, filled with what `attempt` typed and announcing its
/// address error, if any, on the field at fault.
pub fn fieldset(collection: &AddressCollection, attempt: &Attempt) -> String {
    let error = match &attempt.problem {
        Some(Problem::Address(error)) => Some(error),
        _ => None,
    };
    let alert = error.map_or_else(String::new, |e| {
        format!(
            "<p id=\"address-error\" class=\"error\" role=\"alert\">{}</p>",
            escape(&e.message)
        )
    });
    let invalid = |field: &str| {
        if error.is_some_and(|e| e.field == field) {
            " aria-invalid=\"true\" aria-describedby=\"address-error\""
        } else {
            ""
        }
    };
    let inputs: String = INPUTS
        .iter()
        .map(|input| {
            format!(
                "<label for=\"{f}\">{label}</label><input id=\"{f}\" name=\"{f}\" \
                 autocomplete=\"{ac}\" value=\"{value}\"{required}{invalid}>",
                f = input.field,
                label = input.label,
                ac = input.autocomplete,
                value = escape(attempt.typed.value(input.field)),
                required = if input.required { " required" } else { "" },
                invalid = invalid(input.field),
            )
        })
        .collect();
    let typed_country = attempt.typed.country.trim().to_ascii_uppercase();
    let options: String = collection
        .allowed_countries
        .iter()
        .map(|code| {
            let selected = if *code == typed_country {
                " selected"
            } else {
                ""
            };
            let text = match country_name(code) {
                Some(name) => format!("{name} ({code})"),
                None => code.clone(),
            };
            format!(
                "<option value=\"{code}\"{selected}>{text}</option>",
                code = escape(code),
                text = escape(&text),
            )
        })
        .collect();
    format!(
        "<fieldset><legend>Shipping address</legend>{alert}{inputs}\
         <label for=\"country\">Country</label>\
         <select id=\"country\" name=\"country\" autocomplete=\"shipping country\" \
         required{invalid}>{options}</select></fieldset>",
        invalid = invalid("country"),
    )
}

/// English names of a few common destinations.
pub fn country_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "AT" => "Austria",
        "BE" => "Belgium",
        "CA" => "Canada",
        "CH" => "Switzerland",
        "DE" => "Germany",
        "DK" => "Denmark",
        "ES" => "Spain",
        "FR" => "France",
        "GB" => "United Kingdom",
        "IE" => "Ireland",
        "IT" => "Italy",
        "LU" => "Luxembourg",
        "NL" => "Netherlands",
        "PL" => "Poland",
        "PT" => "Portugal",
        "SE" => "Sweden",
        "US" => "United States",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shipping::tests::collection;

    #[test]
    fn reads_the_first_value_of_each_field_and_ignores_the_rest() {
        let typed = Typed::from_body(
            b"card_number=4242&name=Ada+L&line1=1+Rue+%26+Co&postal_code=75001\
              &city=Paris&country=FR&name=Eve",
        );
        assert_eq!(typed.name, "Ada L");
        assert_eq!(typed.line1, "1 Rue & Co");
        assert_eq!(typed.line2, "");
        let details = typed.details().checked(&collection(&["FR"])).unwrap();
        assert_eq!(details.address.line2, None);
        assert_eq!(details.address.city, "Paris");
    }

    #[test]
    fn every_field_is_labelled_and_the_select_lists_the_allowed_countries_only() {
        let html = fieldset(&collection(&["FR", "XK"]), &Attempt::default());
        for (field, label) in [
            ("name", "Full name"),
            ("line1", "Address"),
            ("line2", "Address line 2 (optional)"),
            ("postal_code", "Postal code"),
            ("city", "City"),
            ("country", "Country"),
        ] {
            assert!(
                html.contains(&format!("<label for=\"{field}\">{label}</label>")),
                "{field}"
            );
            assert!(
                html.contains(&format!("id=\"{field}\" name=\"{field}\"")),
                "{field}"
            );
        }
        assert!(html.contains("<option value=\"FR\">France (FR)</option>"));
        assert!(html.contains("<option value=\"XK\">XK</option>"));
        assert_eq!(html.matches("<option").count(), 2);
        assert!(!html.contains("role=\"alert\"") && !html.contains("aria-invalid"));
        assert!(!html.contains(
            "name=\"line2\" autocomplete=\"shipping address-line2\" value=\"\" required"
        ));
    }

    #[test]
    fn a_failed_attempt_keeps_the_typed_values_and_marks_the_field() {
        let attempt = Attempt {
            typed: Typed {
                name: "Ada \"L\"".into(),
                city: "Gent".into(),
                country: "be".into(),
                ..Typed::default()
            },
            problem: Some(Problem::Address(AddressError {
                field: "line1",
                message: "Enter the street address.".into(),
            })),
        };
        let html = fieldset(&collection(&["FR", "BE"]), &attempt);
        assert!(html.contains("value=\"Ada &quot;L&quot;\""));
        assert!(html.contains("value=\"Gent\""));
        assert!(html.contains("<option value=\"BE\" selected>"));
        assert!(html.contains("role=\"alert\">Enter the street address.</p>"));
        assert!(html.contains(
            "name=\"line1\" autocomplete=\"shipping address-line1\" value=\"\" required \
             aria-invalid=\"true\""
        ));
        assert_eq!(html.matches("aria-invalid").count(), 1);
        // A card problem is not the address's.
        let card = Attempt {
            problem: Some(Problem::Card("Your card was declined.")),
            ..attempt
        };
        assert!(!fieldset(&collection(&["FR"]), &card).contains("role=\"alert\""));
    }
}
