//! Countries as ISO 3166-1 alpha-2 codes.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A country as its ISO 3166-1 alpha-2 code: two ASCII capital letters, e.g. `DE`.
///
/// [`Country::parse`] checks the shape only, so that a settings file with a code that is not
/// assigned (`XX`) still parses and [`Settings::validate`](super::Settings::validate) can report
/// it with its path; [`Country::is_assigned`] tells a real code. Serialized as the plain code.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country([u8; 2]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CountryError {
    #[error("a country is two capital letters (ISO 3166-1 alpha-2, e.g. DE), got {0:?}")]
    BadCountry(String),
}

/// Every officially assigned ISO 3166-1 alpha-2 code (249), and `XK` (Kosovo), which is
/// user-assigned but used by payment providers and carriers alike.
const ASSIGNED: &str = "\
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ \
    BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
    DE DJ DK DM DO DZ \
    EC EE EG EH ER ES ET \
    FI FJ FK FM FO FR \
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY \
    HK HM HN HR HT HU \
    ID IE IL IM IN IO IQ IR IS IT \
    JE JM JO JP \
    KE KG KH KI KM KN KP KR KW KY KZ \
    LA LB LC LI LK LR LS LT LU LV LY \
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ \
    NA NC NE NF NG NI NL NO NP NR NU NZ \
    OM \
    PA PE PF PG PH PK PL PM PN PR PS PT PW PY \
    QA \
    RE RO RS RU RW \
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ \
    TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ \
    UA UG UM US UY UZ \
    VA VC VE VG VI VN VU \
    WF WS \
    XK \
    YE YT \
    ZA ZM ZW";

impl Country {
    pub const AT: Country = Country(*b"AT");
    pub const BE: Country = Country(*b"BE");
    pub const DE: Country = Country(*b"DE");
    pub const FR: Country = Country(*b"FR");
    pub const GB: Country = Country(*b"GB");
    pub const LU: Country = Country(*b"LU");
    pub const NL: Country = Country(*b"NL");
    pub const US: Country = Country(*b"US");

    /// Accepts exactly two ASCII capital letters (no trimming, no lowercase).
    pub fn parse(code: &str) -> Result<Self, CountryError> {
        match code.as_bytes() {
            [a, b] if a.is_ascii_uppercase() && b.is_ascii_uppercase() => Ok(Country([*a, *b])),
            _ => Err(CountryError::BadCountry(code.to_owned())),
        }
    }

    /// The code, e.g. `"DE"`.
    pub fn code(&self) -> &str {
        // Only ASCII capitals are ever stored, so this is always UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// Whether the code is assigned to a country or territory (or is `XK`).
    pub fn is_assigned(&self) -> bool {
        ASSIGNED.split_ascii_whitespace().any(|c| c == self.code())
    }

    /// Every assigned code, in alphabetical order (for a country picker, say).
    pub fn all() -> impl Iterator<Item = Country> {
        ASSIGNED
            .split_ascii_whitespace()
            .filter_map(|c| Country::parse(c).ok())
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Country({})", self.code())
    }
}

impl Serialize for Country {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Country::parse(&s).map_err(serde::de::Error::custom)
    }
}
