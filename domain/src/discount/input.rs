//! The merchant's JSON body for a code, its checks, and the times it may give as dates.
//!
//! A time is Unix seconds, or a UTC date and time as text: `YYYY-MM-DD` (midnight),
//! `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS`, each optionally followed by `Z` (what an HTML
//! `datetime-local` field sends, read as UTC). [`format_time`] writes the last form, which
//! [`parse_time`] reads back exactly.

use super::{Code, Discount, Kind, MAX_COLLECTIONS};
use crate::ids::Handle;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// The latest time accepted: 9999-12-31T23:59:59Z (so every time has a four-digit year).
pub const LATEST_TIME: i64 = 253_402_300_799;

const SECONDS_PER_DAY: i64 = 86_400;

/// The body of a request creating (POST) or replacing (PUT) a code; unknown fields are refused.
/// [`DiscountInput::validate`] makes it a [`Discount`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscountInput {
    /// Required to create; to replace, optional but equal to the code in the path.
    #[serde(default)]
    pub code: Option<String>,
    pub kind: Kind,
    /// Basis points (1 to 10000) or minor units (> 0); absent or 0 for free shipping.
    #[serde(default)]
    pub value: Option<i64>,
    #[serde(default)]
    pub min_subtotal: Option<i64>,
    #[serde(default)]
    pub starts_at: Option<TimeInput>,
    #[serde(default)]
    pub ends_at: Option<TimeInput>,
    #[serde(default)]
    pub usage_limit: Option<i64>,
    #[serde(default)]
    pub once_per_email: bool,
    /// Collection handles, at most [`MAX_COLLECTIONS`].
    #[serde(default)]
    pub collections: Vec<String>,
    /// Turns the code off (or, `false`, on again) while keeping it and its uses.
    #[serde(default)]
    pub disabled: bool,
}

/// A time as given: Unix seconds or text (see the module docs), read by [`DiscountInput::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeInput {
    Unix(i64),
    Text(String),
}

/// What is wrong with a [`DiscountInput`]: the field and what it needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{field}: {message}")]
pub struct InputError {
    pub field: &'static str,
    pub message: String,
}

fn error(field: &'static str, message: impl Into<String>) -> InputError {
    InputError {
        field,
        message: message.into(),
    }
}

impl DiscountInput {
    /// The code this body defines. `path_code` is the code in a PUT's path: the body's `code`
    /// may then be left out, and must name the same code if given.
    pub fn validate(self, path_code: Option<&Code>) -> Result<Discount, InputError> {
        let body_code = self
            .code
            .as_deref()
            .map(|c| Code::parse(c).map_err(|e| error("code", e.to_string())))
            .transpose()?;
        let code = match (path_code, body_code) {
            (Some(path), Some(body)) if &body != path => {
                return Err(error(
                    "code",
                    format!("must be {path}, the code being changed"),
                ))
            }
            (Some(path), _) => path.clone(),
            (None, Some(body)) => body,
            (None, None) => return Err(error("code", "is required")),
        };
        let value = match (self.kind, self.value) {
            (Kind::Percent, Some(v @ 1..=10_000)) => v,
            (Kind::Percent, _) => {
                return Err(error(
                    "value",
                    "a percentage is 1 to 10000 basis points (0.01 % to 100 %)",
                ))
            }
            (Kind::Fixed, Some(v)) if v > 0 => v,
            (Kind::Fixed, _) => {
                return Err(error(
                    "value",
                    "a fixed amount is more than 0, in minor units",
                ))
            }
            (Kind::FreeShipping, None | Some(0)) => 0,
            (Kind::FreeShipping, Some(_)) => {
                return Err(error("value", "free shipping takes no value (or 0)"))
            }
        };
        if self.min_subtotal.is_some_and(|m| m < 0) {
            return Err(error("min_subtotal", "must be 0 or more, in minor units"));
        }
        let starts_at = self
            .starts_at
            .as_ref()
            .map(|t| t.resolve("starts_at"))
            .transpose()?;
        let ends_at = self
            .ends_at
            .as_ref()
            .map(|t| t.resolve("ends_at"))
            .transpose()?;
        if let (Some(start), Some(end)) = (starts_at, ends_at) {
            if end <= start {
                return Err(error("ends_at", "must be after starts_at"));
            }
        }
        let usage_limit = self
            .usage_limit
            .map(|n| match u32::try_from(n) {
                Ok(n) if n >= 1 => Ok(n),
                _ => Err(error(
                    "usage_limit",
                    format!("must be a whole number from 1 to {}", u32::MAX),
                )),
            })
            .transpose()?;
        if self.collections.len() > MAX_COLLECTIONS {
            return Err(error(
                "collections",
                format!("at most {MAX_COLLECTIONS} collections"),
            ));
        }
        let mut collections: Vec<Handle> = Vec::with_capacity(self.collections.len());
        for c in &self.collections {
            let handle = Handle::parse(c)
                .map_err(|_| error("collections", format!("{c:?} is not a collection handle")))?;
            if !collections.contains(&handle) {
                collections.push(handle);
            }
        }
        Ok(Discount {
            code,
            kind: self.kind,
            value,
            min_subtotal: self.min_subtotal,
            starts_at,
            ends_at,
            usage_limit,
            once_per_email: self.once_per_email,
            collections,
            disabled: self.disabled,
        })
    }
}

impl TimeInput {
    /// Unix seconds, from 0 to [`LATEST_TIME`]; `field` names the field in the error.
    pub fn resolve(&self, field: &'static str) -> Result<i64, InputError> {
        let t = match self {
            TimeInput::Unix(t) => Some(*t),
            TimeInput::Text(s) => parse_time(s),
        };
        t.filter(|t| (0..=LATEST_TIME).contains(t)).ok_or_else(|| {
            error(
                field,
                "must be Unix seconds or a UTC time such as 2025-06-01 or 2025-06-01T09:30 \
                 (1970 to 9999)",
            )
        })
    }
}

impl<'de> Deserialize<'de> for TimeInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TimeVisitor;

        impl Visitor<'_> for TimeVisitor {
            type Value = TimeInput;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("Unix seconds or a time such as \"2025-06-01T09:30Z\"")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<TimeInput, E> {
                Ok(TimeInput::Unix(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<TimeInput, E> {
                // Out of range either way: keep it out of range for `resolve` to refuse.
                Ok(TimeInput::Unix(i64::try_from(v).unwrap_or(i64::MAX)))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<TimeInput, E> {
                Ok(TimeInput::Text(v.to_owned()))
            }
        }

        d.deserialize_any(TimeVisitor)
    }
}

/// Days since 1970-01-01 of a date in the proleptic Gregorian calendar (H. Hinnant's
/// `days_from_civil`). `month` is 1 to 12, `day` 1 to 31.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // 0 to 399
    let mp = (month + 9) % 12; // March is 0
    let doy = (153 * mp + 2) / 5 + day - 1; // 0 to 365
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // 0 to 146096
    era * 146_097 + doe - 719_468
}

/// The date (year, month, day) of a day since 1970-01-01; the inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A run of ASCII digits as a number (no sign, no spaces).
fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A UTC time as text (see the module docs) as Unix seconds; `None` if it is not one.
/// Surrounding spaces are ignored.
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = s.strip_suffix('Z').unwrap_or(s);
    let (date, time) = match s.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (s, None),
    };
    let mut parts = date.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    let (year, month, day) = (digits(year)?, digits(month)?, digits(day)?);
    if !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
        return None;
    }
    let (hour, minute, second) = match time {
        None => (0, 0, 0),
        Some(time) => {
            let parts: Vec<&str> = time.split(':').collect();
            if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.len() != 2) {
                return None;
            }
            let second = parts.get(2).map_or(Some(0), |p| digits(p))?;
            (digits(parts[0])?, digits(parts[1])?, second)
        }
    };
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some(days_from_civil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second)
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (UTC), which [`parse_time`] reads back.
pub fn format_time(unix: i64) -> String {
    let days = unix.div_euclid(SECONDS_PER_DAY);
    let secs = unix.rem_euclid(SECONDS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}
