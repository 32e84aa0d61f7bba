//! Signed webhooks in Stripe's scheme.
//!
//! The `Stripe-Signature` header reads `t=<unix seconds>,v1=<hex>[,v1=<hex>…]` (other schemes such
//! as `v0=` may appear and are ignored). Each `v1` is HMAC-SHA256, keyed with the endpoint's
//! webhook secret, over `"{t}.{raw body}"`. A payload is genuine if any `v1` matches (secrets can
//! be rolled, so several may be present) and `t` is within the tolerance of now, which bounds
//! replays. Comparison is constant-time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Stripe's default tolerance between the signed timestamp and now.
pub const DEFAULT_TOLERANCE_SECONDS: i64 = 300;

/// Why a signature was rejected. Messages are safe to show to the sender.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("missing Stripe-Signature header")]
    Missing,
    #[error("malformed Stripe-Signature header: {0}")]
    Malformed(&'static str),
    #[error("no v1 signature matches the payload")]
    Mismatch,
    #[error("signature timestamp is outside the {0} s tolerance")]
    Stale(i64),
}

fn mac(secret: &[u8], timestamp: i64, payload: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    m.update(timestamp.to_string().as_bytes());
    m.update(b".");
    m.update(payload);
    m
}

/// The hex `v1` signature of `payload` at `timestamp`.
pub fn signature(secret: &[u8], timestamp: i64, payload: &[u8]) -> String {
    hex::encode(mac(secret, timestamp, payload).finalize().into_bytes())
}

/// A complete `Stripe-Signature` header value for `payload` signed at `timestamp`.
pub fn header(secret: &[u8], timestamp: i64, payload: &[u8]) -> String {
    format!("t={timestamp},v1={}", signature(secret, timestamp, payload))
}

/// A parsed `Stripe-Signature` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    pub timestamp: i64,
    pub v1: Vec<Vec<u8>>,
}

impl SignatureHeader {
    pub fn parse(value: &str) -> Result<SignatureHeader, SignatureError> {
        let mut timestamp = None;
        let mut v1 = Vec::new();
        for part in value.split(',') {
            let (k, v) = part
                .trim()
                .split_once('=')
                .ok_or(SignatureError::Malformed("expected key=value pairs"))?;
            match k {
                "t" => {
                    let t = v
                        .parse::<i64>()
                        .map_err(|_| SignatureError::Malformed("t is not a number"))?;
                    timestamp = Some(t);
                }
                "v1" => {
                    let bytes =
                        hex::decode(v).map_err(|_| SignatureError::Malformed("v1 is not hex"))?;
                    v1.push(bytes);
                }
                _ => {}
            }
        }
        let timestamp = timestamp.ok_or(SignatureError::Malformed("no t= timestamp"))?;
        if v1.is_empty() {
            return Err(SignatureError::Malformed("no v1= signature"));
        }
        Ok(SignatureHeader { timestamp, v1 })
    }
}

/// Checks `header` (the `Stripe-Signature` value, if any) for `payload` at `now` (unix seconds).
pub fn verify(
    secret: &[u8],
    header: Option<&str>,
    payload: &[u8],
    now: i64,
    tolerance_seconds: i64,
) -> Result<(), SignatureError> {
    let parsed = SignatureHeader::parse(header.ok_or(SignatureError::Missing)?)?;
    let expected = mac(secret, parsed.timestamp, payload);
    // Check every candidate in constant time (verify_slice is constant-time).
    let matched = parsed.v1.iter().fold(false, |found, sig| {
        expected.clone().verify_slice(sig).is_ok() | found
    });
    if !matched {
        return Err(SignatureError::Mismatch);
    }
    if (now - parsed.timestamp).abs() > tolerance_seconds {
        return Err(SignatureError::Stale(tolerance_seconds));
    }
    Ok(())
}

/// Constant-time equality for secrets such as bearer tokens (length is not hidden).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"checkout.session.completed"}"#;
    const NOW: i64 = 1_700_000_000;

    #[test]
    fn matches_an_independent_hmac_sha256() {
        // The signed payload is "{t}.{body}", keyed with the secret.
        let sig = signature(b"key", 0, b"The quick brown fox");
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(b"key").unwrap();
        m.update(b"0.The quick brown fox");
        assert_eq!(sig, hex::encode(m.finalize().into_bytes()));
        // Known vector: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(b"key").unwrap();
        m.update(b"The quick brown fox jumps over the lazy dog");
        assert_eq!(
            hex::encode(m.finalize().into_bytes()),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }

    #[test]
    fn accepts_its_own_signature() {
        let h = header(SECRET, NOW, BODY);
        assert_eq!(verify(SECRET, Some(&h), BODY, NOW + 10, 300), Ok(()));
    }

    #[test]
    fn accepts_any_of_several_v1_and_ignores_other_schemes() {
        let good = signature(SECRET, NOW, BODY);
        let h = format!("t={NOW},v1={},v0=abcd,v1={good}", "00".repeat(32));
        assert_eq!(verify(SECRET, Some(&h), BODY, NOW, 300), Ok(()));
    }

    #[test]
    fn rejects_tampered_body_wrong_secret_missing_and_stale() {
        let h = header(SECRET, NOW, BODY);
        assert_eq!(
            verify(SECRET, Some(&h), b"{}", NOW, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"other", Some(&h), BODY, NOW, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, None, BODY, NOW, 300),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(SECRET, Some(&h), BODY, NOW + 301, 300),
            Err(SignatureError::Stale(300))
        );
        assert_eq!(
            verify(SECRET, Some(&h), BODY, NOW - 301, 300),
            Err(SignatureError::Stale(300))
        );
        // A signature for another timestamp does not transfer.
        let moved = h.replace(&format!("t={NOW}"), &format!("t={}", NOW + 5));
        assert_eq!(
            verify(SECRET, Some(&moved), BODY, NOW, 300),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn rejects_malformed_headers() {
        for h in ["", "garbage", "t=abc,v1=00", "v1=00", "t=1", "t=1,v1=zz"] {
            assert!(
                matches!(
                    verify(SECRET, Some(h), BODY, NOW, 300),
                    Err(SignatureError::Malformed(_))
                ),
                "{h}"
            );
        }
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
