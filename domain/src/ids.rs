//! Identifiers and bounded inputs, parsed once at the boundary ("parse, don't validate").

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("handle must be 1-64 characters of a-z, 0-9 and '-', not starting or ending with '-'")]
    BadHandle,
    #[error("SKU must be 1-64 characters of A-Z, 0-9, '-' and '_'")]
    BadSku,
    #[error("quantity must be a whole number from {min} to {max}", min = Quantity::MIN, max = Quantity::MAX)]
    BadQuantity,
    #[error("a cart id is 32 lowercase hex digits")]
    BadCartId,
    #[error("an order id is ord_ and 32 lowercase hex digits")]
    BadOrderId,
    #[error("give an e-mail address such as you@example.com for the receipt")]
    BadEmail,
}

/// A URL-safe product or collection handle, e.g. `linen-shirt`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Handle(String);

impl Handle {
    pub const MAX_LEN: usize = 64;

    pub fn parse(s: &str) -> Result<Self, IdError> {
        let ok = !s.is_empty()
            && s.len() <= Self::MAX_LEN
            && !s.starts_with('-')
            && !s.ends_with('-')
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Handle(s.to_owned()))
        } else {
            Err(IdError::BadHandle)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Handle {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Handle::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A stock-keeping unit: one purchasable variant, e.g. `LINEN-SHIRT-M-WHITE`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Sku(String);

impl Sku {
    pub const MAX_LEN: usize = 64;

    pub fn parse(s: &str) -> Result<Self, IdError> {
        let ok = !s.is_empty()
            && s.len() <= Self::MAX_LEN
            && s.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if ok {
            Ok(Sku(s.to_owned()))
        } else {
            Err(IdError::BadSku)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Sku {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Sku::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// How many units of one SKU a cart line holds: 1 to 99.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Quantity(u32);

impl Quantity {
    pub const MIN: u32 = 1;
    pub const MAX: u32 = 99;

    pub fn new(n: i64) -> Result<Self, IdError> {
        if (i64::from(Self::MIN)..=i64::from(Self::MAX)).contains(&n) {
            // In range, so it fits.
            Ok(Quantity(n as u32))
        } else {
            Err(IdError::BadQuantity)
        }
    }

    /// Parses form input such as `"3"` (surrounding spaces allowed).
    pub fn parse(s: &str) -> Result<Self, IdError> {
        s.trim()
            .parse::<i64>()
            .map_err(|_| IdError::BadQuantity)
            .and_then(Quantity::new)
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = i64::deserialize(d)?;
        Quantity::new(n).map_err(serde::de::Error::custom)
    }
}

/// `n` lowercase hex digits.
fn is_hex(s: &str, n: usize) -> bool {
    s.len() == n
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A newtype over a string that only its `parse` can make: `Display`, `as_str`, serde as the
/// plain string (checked again when read).
macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident, $check:expr, $err:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: &str) -> Result<Self, IdError> {
                let check: fn(&str) -> bool = $check;
                if check(s) {
                    Ok($name(s.to_owned()))
                } else {
                    Err($err)
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_id!(
    /// A cart's id, as its cookie carries it: 32 lowercase hex digits (128 random bits).
    CartId,
    |s| is_hex(s, 32),
    IdError::BadCartId
);

string_id!(
    /// An order's id: `ord_` and 32 lowercase hex digits (128 random bits, unguessable).
    OrderId,
    |s| s.strip_prefix("ord_").is_some_and(|h| is_hex(h, 32)),
    IdError::BadOrderId
);

string_id!(
    /// An e-mail address for receipts, checked enough to catch typos a shopper would want to
    /// hear about (surrounding spaces are trimmed first by [`Email::trimmed`]).
    Email,
    crate::payment::valid_email,
    IdError::BadEmail
);

impl Email {
    /// Parses `s` without its surrounding spaces.
    pub fn trimmed(s: &str) -> Result<Self, IdError> {
        Email::parse(s.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cart_and_order_ids_and_emails() {
        let hex = "0123456789abcdef0123456789abcdef";
        assert!(CartId::parse(hex).is_ok());
        for bad in [
            "",
            "0123",
            &hex.to_uppercase(),
            &format!("{hex}0"),
            "g123456789abcdef0123456789abcdef",
        ] {
            assert_eq!(CartId::parse(bad), Err(IdError::BadCartId), "{bad:?}");
        }
        assert!(OrderId::parse(&format!("ord_{hex}")).is_ok());
        assert_eq!(OrderId::parse(hex), Err(IdError::BadOrderId));
        assert_eq!(
            Email::trimmed("  a@example.com ").map(|e| e.to_string()),
            Ok("a@example.com".into())
        );
        assert_eq!(Email::parse("nope"), Err(IdError::BadEmail));
        let back: Result<Email, _> = serde_json::from_str("\"x@\"");
        assert!(back.is_err(), "checked when read");
    }

    #[test]
    fn handles() {
        for good in ["a", "linen-shirt", "mug-2", "x".repeat(64).as_str()] {
            assert!(Handle::parse(good).is_ok(), "{good:?} rejected");
        }
        for bad in ["", "-a", "a-", "Linen", "a b", "a/b", "é", &"x".repeat(65)] {
            assert_eq!(Handle::parse(bad), Err(IdError::BadHandle), "{bad:?}");
        }
    }

    #[test]
    fn skus() {
        assert!(Sku::parse("LINEN-SHIRT-M_WHITE").is_ok());
        for bad in ["", "abc", "A B", "A/B", "<script>", &"A".repeat(65)] {
            assert_eq!(Sku::parse(bad), Err(IdError::BadSku), "{bad:?}");
        }
    }

    #[test]
    fn quantity_bounds() {
        assert_eq!(Quantity::parse("1").map(Quantity::get), Ok(1));
        assert_eq!(Quantity::parse(" 99 ").map(Quantity::get), Ok(99));
        for bad in ["0", "100", "-1", "1.5", "", "ten", "99999999999999999999"] {
            assert_eq!(Quantity::parse(bad), Err(IdError::BadQuantity), "{bad:?}");
        }
        assert!(serde_json::from_str::<Quantity>("3").is_ok());
        assert!(serde_json::from_str::<Quantity>("0").is_err());
        assert!(serde_json::from_str::<Quantity>("2.5").is_err());
        assert!(serde_json::from_str::<Quantity>("\"2\"").is_err());
    }

    proptest! {
        #[test]
        fn quantity_accepts_exactly_the_range(n in any::<i64>()) {
            prop_assert_eq!(Quantity::new(n).is_ok(), (1..=99).contains(&n));
        }

        #[test]
        fn parsed_handles_round_trip(s in "[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?") {
            let h = Handle::parse(&s).unwrap();
            prop_assert_eq!(h.as_str(), s.as_str());
        }

        #[test]
        fn arbitrary_strings_never_panic(s in ".*") {
            let _ = Handle::parse(&s);
            let _ = Sku::parse(&s);
            let _ = Quantity::parse(&s);
        }
    }
}
