//! Random object ids in Stripe's style (`cs_test_…`, `pi_test_…`, `evt_…`), random UUIDs (the
//! ids Postmark gives messages), and the clock: unix seconds, or an RFC 3339 UTC timestamp.

use std::time::{SystemTime, UNIX_EPOCH};

const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// How many random characters follow the prefix (~143 bits).
const RANDOM_CHARS: usize = 24;

/// `prefix` followed by random alphanumerics, e.g. `id("cs_test_")`.
pub fn id(prefix: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + RANDOM_CHARS);
    out.push_str(prefix);
    while out.len() < prefix.len() + RANDOM_CHARS {
        let mut buf = [0u8; 32];
        fill(&mut buf);
        // Rejection sampling keeps every character equally likely (248 = 4 * 62).
        for byte in buf.into_iter().filter(|b| *b < 248) {
            if out.len() == prefix.len() + RANDOM_CHARS {
                break;
            }
            out.push(char::from(ALPHABET[usize::from(byte % 62)]));
        }
    }
    out
}

/// A random (version 4) UUID in its usual lower-case form, e.g.
/// `0b1c7e4a-5d3f-4e2a-9c61-2f8d0a7b3e95`.
pub fn uuid() -> String {
    let mut bytes = [0u8; 16];
    fill(&mut bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn fill(buf: &mut [u8]) {
    if getrandom::fill(buf).is_err() {
        // The OS generator failing is not recoverable in any useful way for a sandbox; fall back
        // to a time-and-counter mix so ids stay unique within the process.
        fallback(buf);
    }
}

fn fallback(buf: &mut [u8]) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut state = ((nanos as u64) ^ COUNTER.fetch_add(1, Ordering::Relaxed).rotate_left(32)) | 1;
    for byte in buf {
        // xorshift64*
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        *byte = (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8;
    }
}

/// Seconds since the unix epoch.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The current time in RFC 3339, UTC, to the millisecond: `2024-03-01T09:30:00.250Z`.
pub fn rfc3339_now() -> String {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    rfc3339(millis)
}

/// `millis` after the unix epoch in RFC 3339, UTC (years 0 to 9999).
pub fn rfc3339(millis: i64) -> String {
    let (days, in_day) = (millis.div_euclid(86_400_000), millis.rem_euclid(86_400_000));
    // Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a proleptic Gregorian date.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let seconds = in_day / 1000;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60,
        in_day % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_prefix_and_differ() {
        let a = id("cs_test_");
        let b = id("cs_test_");
        assert!(a.starts_with("cs_test_"));
        assert_eq!(a.len(), "cs_test_".len() + RANDOM_CHARS);
        assert!(a["cs_test_".len()..]
            .bytes()
            .all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }

    #[test]
    fn fallback_fills_every_byte_and_varies() {
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        fallback(&mut a);
        fallback(&mut b);
        assert_ne!(a, b);
    }

    #[test]
    fn uuids_are_version_4_and_differ() {
        let a = uuid();
        assert_eq!(a.len(), 36);
        let groups: Vec<&str> = a.split('-').collect();
        assert_eq!(
            groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(a
            .bytes()
            .all(|c| c == b'-' || c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
        assert!(groups[2].starts_with('4'), "{a}");
        assert!(
            matches!(groups[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'),
            "{a}"
        );
        assert_ne!(a, uuid());
    }

    #[test]
    fn formats_rfc3339_in_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_700_000_000_250), "2023-11-14T22:13:20.250Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(rfc3339(253_402_300_799_999), "9999-12-31T23:59:59.999Z");
        let now = rfc3339_now();
        assert!(
            now.len() == 24 && now.ends_with('Z') && now.starts_with("20"),
            "{now}"
        );
    }
}
