//! Injected faults for session creation and e-mail sending (`POST /_sandbox/faults`). Webhook
//! faults (holding, duplicating) live with the webhook queue, see [`crate::webhooks::Policy`].

use std::time::Duration;

use serde::Deserialize;

/// Current creation and e-mail faults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Faults {
    /// The next this-many creates answer 500 before doing anything.
    pub fail_next_creates: u64,
    /// Creation sleeps this long before answering (after the session exists).
    pub create_delay_ms: u64,
    /// The next this-many e-mails that would be sent answer 500 instead (and are not sent).
    pub fail_next_emails: u64,
    /// The next this-many creates answer 429 `rate_limit` (Stripe's rate limiter) before doing
    /// anything.
    pub rate_limit_next_creates: u64,
}

impl Faults {
    /// Consumes one injected create failure, if any is pending.
    pub fn take_failure(&mut self) -> bool {
        take(&mut self.fail_next_creates)
    }

    /// Consumes one injected rate-limit answer, if any is pending.
    pub fn take_rate_limit(&mut self) -> bool {
        take(&mut self.rate_limit_next_creates)
    }

    /// Consumes one injected e-mail failure, if any is pending.
    pub fn take_email_failure(&mut self) -> bool {
        take(&mut self.fail_next_emails)
    }

    pub fn delay(&self) -> Duration {
        Duration::from_millis(self.create_delay_ms)
    }
}

/// Counts `pending` down by one; false if it was already 0.
fn take(pending: &mut u64) -> bool {
    if *pending == 0 {
        return false;
    }
    *pending -= 1;
    true
}

/// The body of `POST /_sandbox/faults`: every field optional, merged into the current settings.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FaultsPatch {
    pub fail_next_creates: Option<u64>,
    pub create_delay_ms: Option<u64>,
    pub fail_next_emails: Option<u64>,
    pub rate_limit_next_creates: Option<u64>,
    pub duplicate_webhooks: Option<bool>,
    pub hold_webhooks: Option<bool>,
}

impl FaultsPatch {
    /// Merges the creation and e-mail fields into `faults`.
    pub fn apply(&self, faults: &mut Faults) {
        if let Some(n) = self.fail_next_creates {
            faults.fail_next_creates = n;
        }
        if let Some(ms) = self.create_delay_ms {
            faults.create_delay_ms = ms;
        }
        if let Some(n) = self.fail_next_emails {
            faults.fail_next_emails = n;
        }
        if let Some(n) = self.rate_limit_next_creates {
            faults.rate_limit_next_creates = n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_merge_and_failures_count_down() {
        let mut faults = Faults::default();
        let patch: FaultsPatch = serde_json::from_str(r#"{"fail_next_creates": 2}"#).unwrap();
        patch.apply(&mut faults);
        FaultsPatch {
            create_delay_ms: Some(50),
            ..FaultsPatch::default()
        }
        .apply(&mut faults);
        assert_eq!(
            faults,
            Faults {
                fail_next_creates: 2,
                create_delay_ms: 50,
                fail_next_emails: 0,
                rate_limit_next_creates: 0,
            }
        );
        assert!(faults.take_failure());
        assert!(faults.take_failure());
        assert!(!faults.take_failure());
        assert!(serde_json::from_str::<FaultsPatch>(r#"{"hold_webhook": true}"#).is_err());
    }

    #[test]
    fn email_failures_count_down_on_their_own() {
        let mut faults = Faults::default();
        let patch: FaultsPatch = serde_json::from_str(r#"{"fail_next_emails": 2}"#).unwrap();
        patch.apply(&mut faults);
        assert_eq!(faults.fail_next_emails, 2);
        assert!(!faults.take_failure(), "creates are not affected");
        assert!(faults.take_email_failure());
        assert_eq!(faults.fail_next_emails, 1);
        assert!(faults.take_email_failure());
        assert!(!faults.take_email_failure());
        assert_eq!(faults, Faults::default());
    }
}
