//! Money as integer minor units with an ISO 4217 currency code. Never floats.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// An ISO 4217 currency code: three ASCII capital letters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("currency code must be three capital letters (ISO 4217), got {0:?}")]
    BadCurrency(String),
    #[error("amounts in different currencies cannot be combined ({0} and {1})")]
    CurrencyMismatch(Currency, Currency),
    #[error("amount overflows")]
    Overflow,
}

impl Currency {
    pub const EUR: Currency = Currency(*b"EUR");
    pub const USD: Currency = Currency(*b"USD");

    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        match code.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_uppercase()) => {
                Ok(Currency([*a, *b, *c]))
            }
            _ => Err(MoneyError::BadCurrency(code.to_owned())),
        }
    }

    pub fn code(&self) -> &str {
        // Only ASCII capitals are ever stored, so this is always UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// Digits after the decimal point of the currency's minor unit.
    pub fn exponent(&self) -> u32 {
        match self.code() {
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF"
            | "UGX" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
            _ => 2,
        }
    }

    fn symbol(&self) -> Option<&'static str> {
        match self.code() {
            "EUR" => Some("€"),
            "USD" => Some("$"),
            "GBP" => Some("£"),
            "JPY" => Some("¥"),
            _ => None,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Currency::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// An amount in the minor unit of its currency (cents for EUR).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub amount: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(amount: i64, currency: Currency) -> Self {
        Money { amount, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Money::new(0, currency)
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency, other.currency));
        }
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    pub fn checked_mul(self, factor: u32) -> Result<Money, MoneyError> {
        let amount = self
            .amount
            .checked_mul(i64::from(factor))
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// The amount as a plain decimal string in major units (`"1249.99"`), as schema.org and
    /// other machine formats want it; computed from integers, never through a float.
    pub fn decimal(&self) -> String {
        let exp = self.currency.exponent();
        let scale = 10u64.pow(exp);
        let abs = self.amount.unsigned_abs();
        let sign = if self.amount < 0 { "-" } else { "" };
        if exp == 0 {
            return format!("{sign}{abs}");
        }
        format!(
            "{sign}{}.{:0width$}",
            abs / scale,
            abs % scale,
            width = exp as usize
        )
    }
}

/// Formats for people: `€1,249.00`, `¥500`, `CHF 12.50`.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exp = self.currency.exponent();
        let scale = 10u64.pow(exp);
        let abs = self.amount.unsigned_abs();
        let (major, minor) = (abs / scale, abs % scale);
        if self.amount < 0 {
            f.write_str("-")?;
        }
        match self.currency.symbol() {
            Some(sym) => f.write_str(sym)?,
            None => write!(f, "{} ", self.currency.code())?,
        }
        let digits = major.to_string();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                f.write_str(",")?;
            }
            write!(f, "{ch}")?;
        }
        if exp > 0 {
            write!(f, ".{minor:0width$}", width = exp as usize)?;
        }
        Ok(())
    }
}

/// A decimal typed by a person ("12", "12.5", "1,249.99") in units with `exponent` decimal
/// places, as an integer count of the smallest unit ("12.5" with 2 → 1250). `None` for anything
/// else: a sign, more decimals than `exponent`, letters, or too large a number. Integers only.
pub fn parse_decimal(text: &str, exponent: u32) -> Option<i64> {
    let text: String = text.trim().chars().filter(|c| *c != ',').collect();
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && frac.is_empty()
        || !digits(whole)
        || !digits(frac)
        || frac.len() > exponent as usize
    {
        return None;
    }
    let scale = 10i64.checked_pow(exponent)?;
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse::<i64>().ok()? * 10i64.pow(exponent - frac.len() as u32)
    };
    whole.checked_mul(scale)?.checked_add(frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_typed_by_people_become_minor_units() {
        assert_eq!(parse_decimal("12", 2), Some(1200));
        assert_eq!(parse_decimal(" 12.5 ", 2), Some(1250));
        assert_eq!(parse_decimal("1,249.99", 2), Some(124_999));
        assert_eq!(parse_decimal(".5", 2), Some(50));
        assert_eq!(parse_decimal("500", 0), Some(500));
        for bad in [
            "",
            ".",
            "-1",
            "1.234",
            "1e3",
            "abc",
            "5.0.0",
            "99999999999999999999",
        ] {
            assert_eq!(parse_decimal(bad, 2), None, "{bad:?}");
        }
        assert_eq!(parse_decimal("1.5", 0), None);
    }

    #[test]
    fn decimal_strings_for_machines() {
        assert_eq!(Money::new(124_999, Currency::EUR).decimal(), "1249.99");
        assert_eq!(Money::new(5, Currency::EUR).decimal(), "0.05");
        assert_eq!(Money::new(-1500, Currency::USD).decimal(), "-15.00");
        assert_eq!(
            Money::new(1500, Currency::parse("JPY").unwrap()).decimal(),
            "1500"
        );
        assert_eq!(
            Money::new(1500, Currency::parse("KWD").unwrap()).decimal(),
            "1.500"
        );
    }

    fn eur(amount: i64) -> Money {
        Money::new(amount, Currency::EUR)
    }

    #[test]
    fn formats_minor_units_with_symbol_and_grouping() {
        assert_eq!(eur(4900).to_string(), "€49.00");
        assert_eq!(eur(5).to_string(), "€0.05");
        assert_eq!(eur(124_999).to_string(), "€1,249.99");
        assert_eq!(eur(100_000_000).to_string(), "€1,000,000.00");
        assert_eq!(eur(-150).to_string(), "-€1.50");
    }

    #[test]
    fn formats_currencies_by_their_exponent() {
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(Money::new(1500, jpy).to_string(), "¥1,500");
        let kwd = Currency::parse("KWD").unwrap();
        assert_eq!(Money::new(1005, kwd).to_string(), "KWD 1.005");
        let chf = Currency::parse("CHF").unwrap();
        assert_eq!(Money::new(1250, chf).to_string(), "CHF 12.50");
    }

    #[test]
    fn rejects_malformed_currency_codes() {
        for bad in ["eur", "EU", "EURO", "", "E1R", "€€€"] {
            assert!(Currency::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(eur(100).checked_add(eur(250)), Ok(eur(350)));
        assert_eq!(eur(333).checked_mul(3), Ok(eur(999)));
        assert_eq!(eur(i64::MAX).checked_add(eur(1)), Err(MoneyError::Overflow));
        assert_eq!(eur(i64::MAX).checked_mul(2), Err(MoneyError::Overflow));
        let usd = Money::new(1, Currency::USD);
        assert!(matches!(
            eur(1).checked_add(usd),
            Err(MoneyError::CurrencyMismatch(..))
        ));
    }

    #[test]
    fn serializes_as_code_and_integer() {
        let json = serde_json::to_string(&eur(4900)).unwrap();
        assert_eq!(json, r#"{"amount":4900,"currency":"EUR"}"#);
        let back: Money = serde_json::from_str(&json).unwrap();
        assert_eq!(back, eur(4900));
        assert!(serde_json::from_str::<Money>(r#"{"amount":1,"currency":"eur"}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"amount":1.5,"currency":"EUR"}"#).is_err());
    }
}
