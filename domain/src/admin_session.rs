//! The merchant's browser session and its CSRF tokens, both derived from the admin secret with
//! HMAC-SHA256, so the worker keeps no session state.
//!
//! - A session cookie is `<expiry unix seconds>.<random nonce>.<hex MAC of "session:<expiry>:<nonce>">`:
//!   every sign-in gets its own session (and so its own CSRF tokens).
//! - A form's CSRF token is the hex MAC of `"csrf:<session cookie>"`: only pages served to that
//!   session carry it, and another site cannot read it.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long a sign-in lasts.
pub const SESSION_SECONDS: i64 = 8 * 3600;

fn mac_hex(secret: &[u8], message: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    m.update(message.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// A new session cookie value, valid until `now + SESSION_SECONDS`; `nonce` (hex, random)
/// tells sessions begun in the same second apart.
pub fn new_session(secret: &[u8], now: i64, nonce: &str) -> String {
    let expiry = now + SESSION_SECONDS;
    format!(
        "{expiry}.{nonce}.{}",
        mac_hex(secret, &format!("session:{expiry}:{nonce}"))
    )
}

/// Whether `cookie` is a session this secret issued and that has not expired.
pub fn valid_session(secret: &[u8], cookie: &str, now: i64) -> bool {
    let mut parts = cookie.splitn(3, '.');
    let (Some(expiry), Some(nonce), Some(mac)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let Ok(exp) = expiry.parse::<i64>() else {
        return false;
    };
    if nonce.is_empty() || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    let expected = mac_hex(secret, &format!("session:{exp}:{nonce}"));
    crate::webhook::constant_time_eq(expected.as_bytes(), mac.as_bytes()) && exp > now
}

/// The CSRF token of the forms of `session`.
pub fn csrf_token(secret: &[u8], session: &str) -> String {
    mac_hex(secret, &format!("csrf:{session}"))
}

pub fn valid_csrf(secret: &[u8], session: &str, token: &str) -> bool {
    crate::webhook::constant_time_eq(csrf_token(secret, session).as_bytes(), token.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_and_cannot_be_forged() {
        let s = new_session(b"secret", 1000, "ab12");
        assert!(valid_session(b"secret", &s, 1001));
        assert!(!valid_session(b"secret", &s, 1000 + SESSION_SECONDS));
        assert!(!valid_session(b"other", &s, 1001));
        let (exp, rest) = s.split_once('.').unwrap();
        let extended = format!("{}.{rest}", exp.parse::<i64>().unwrap() + 3600);
        assert!(!valid_session(b"secret", &extended, 1001));
        assert!(!valid_session(b"secret", "garbage", 1001));
    }

    #[test]
    fn csrf_tokens_belong_to_their_session() {
        let a = new_session(b"secret", 1000, "01");
        // Same second, another sign-in: another session, other tokens.
        let b = new_session(b"secret", 1000, "02");
        assert_ne!(a, b);
        let t = csrf_token(b"secret", &a);
        assert!(valid_csrf(b"secret", &a, &t));
        assert!(!valid_csrf(b"secret", &b, &t));
        assert!(!valid_csrf(b"secret", &a, ""));
    }
}
