//! Test card numbers and what paying with them does, as with Stripe's test cards.

/// Always succeeds.
pub const SUCCESS: &str = "4242424242424242";
/// Always declined (`card_declined`, `generic_decline`).
pub const DECLINE: &str = "4000000000000002";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Approved,
    Declined,
    /// Not a test card the sandbox knows.
    Invalid,
}

impl Outcome {
    /// The message shown on the payment page for an unsuccessful outcome.
    pub fn message(self) -> Option<&'static str> {
        match self {
            Outcome::Approved => None,
            Outcome::Declined => Some("Your card was declined."),
            Outcome::Invalid => Some("Your card number is invalid."),
        }
    }
}

/// The outcome of paying with `number` as typed (spaces are ignored).
pub fn outcome(number: &str) -> Outcome {
    let digits: String = number.chars().filter(|c| *c != ' ').collect();
    match digits.as_str() {
        SUCCESS => Outcome::Approved,
        DECLINE => Outcome::Declined,
        _ => Outcome::Invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_test_cards_to_outcomes() {
        assert_eq!(outcome("4242424242424242"), Outcome::Approved);
        assert_eq!(outcome("4242 4242 4242 4242"), Outcome::Approved);
        assert_eq!(outcome(" 4000 0000 0000 0002 "), Outcome::Declined);
        for other in [
            "",
            "4242",
            "4242-4242-4242-4242",
            "5555555555554444",
            "42424242424242420",
        ] {
            assert_eq!(outcome(other), Outcome::Invalid, "{other}");
        }
        assert_eq!(Outcome::Approved.message(), None);
        assert_eq!(Outcome::Declined.message(), Some("Your card was declined."));
    }
}
