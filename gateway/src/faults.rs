//! Injected faults for session creation (`POST /_sandbox/faults`). Webhook faults (holding,
//! duplicating) live with the webhook queue, see [`crate::webhooks::Policy`].

use std::time::Duration;

use serde::Deserialize;

/// Current creation faults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CreateFaults {
    /// The next this-many creates answer 500 before doing anything.
    pub fail_next_creates: u64,
    /// Creation sleeps this long before answering (after the session exists).
    pub create_delay_ms: u64,
}

impl CreateFaults {
    /// Consumes one injected failure, if any is pending.
    pub fn take_failure(&mut self) -> bool {
        if self.fail_next_creates == 0 {
            return false;
        }
        self.fail_next_creates -= 1;
        true
    }

    pub fn delay(&self) -> Duration {
        Duration::from_millis(self.create_delay_ms)
    }
}

/// The body of `POST /_sandbox/faults`: every field optional, merged into the current settings.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FaultsPatch {
    pub fail_next_creates: Option<u64>,
    pub create_delay_ms: Option<u64>,
    pub duplicate_webhooks: Option<bool>,
    pub hold_webhooks: Option<bool>,
}

impl FaultsPatch {
    /// Merges the creation fields into `faults`.
    pub fn apply(&self, faults: &mut CreateFaults) {
        if let Some(n) = self.fail_next_creates {
            faults.fail_next_creates = n;
        }
        if let Some(ms) = self.create_delay_ms {
            faults.create_delay_ms = ms;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_merge_and_failures_count_down() {
        let mut faults = CreateFaults::default();
        let patch: FaultsPatch = serde_json::from_str(r#"{"fail_next_creates": 2}"#).unwrap();
        patch.apply(&mut faults);
        FaultsPatch {
            create_delay_ms: Some(50),
            ..FaultsPatch::default()
        }
        .apply(&mut faults);
        assert_eq!(
            faults,
            CreateFaults {
                fail_next_creates: 2,
                create_delay_ms: 50
            }
        );
        assert!(faults.take_failure());
        assert!(faults.take_failure());
        assert!(!faults.take_failure());
        assert!(serde_json::from_str::<FaultsPatch>(r#"{"hold_webhook": true}"#).is_err());
    }
}
