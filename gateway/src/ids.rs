//! Random object ids in Stripe's style (`cs_test_…`, `pi_test_…`, `evt_…`) and the unix clock.

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
}
