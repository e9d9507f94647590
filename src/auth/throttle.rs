//! Sign-in throttling: after repeated failures for one account from one address, for one account
//! from anywhere, or from one address for any accounts, further attempts are refused for a while
//! (doubling, capped), without even checking the password. The counters live in a map of bounded
//! size: past it the oldest are forgotten, so no flood of names or addresses can grow it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed per (address, user name) before a lock.
const PER_ACCOUNT: u32 = 5;
/// Failures allowed per address (any user names) before a lock.
const PER_ADDRESS: u32 = 20;
/// Failures allowed per user name (from any addresses) before a lock.
const PER_NAME: u32 = 50;
/// Most counters kept.
const MOST_ENTRIES: usize = 10_000;
/// Failures older than this are forgotten.
const WINDOW: Duration = Duration::from_secs(15 * 60);
/// First lock; each further failure while over the limit doubles it.
const BASE_LOCK: Duration = Duration::from_secs(30);
/// Longest lock.
const MAX_LOCK: Duration = Duration::from_secs(15 * 60);

#[derive(Debug)]
struct Entry {
    failures: u32,
    last_failure: Instant,
    locked_until: Option<Instant>,
}

/// In-memory failure counters (a restart forgets them, which is acceptable for throttling).
#[derive(Debug, Default)]
pub struct LoginThrottle {
    entries: Mutex<HashMap<String, Entry>>,
}

impl LoginThrottle {
    /// `Some(wait)` when attempts for this user name from this address are currently refused.
    pub fn check(&self, address: &str, username: &str) -> Option<Duration> {
        let now = Instant::now();
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        [
            account_key(address, username),
            address_key(address),
            name_key(username),
        ]
        .iter()
        .filter_map(|key| entries.get(key)?.locked_until)
        .filter(|until| *until > now)
        .map(|until| until - now)
        .max()
    }

    /// Record a failed attempt.
    pub fn failed(&self, address: &str, username: &str) {
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() + 3 > MOST_ENTRIES {
            entries.retain(|_, e| now.duration_since(e.last_failure) < WINDOW);
        }
        while entries.len() + 3 > MOST_ENTRIES {
            // Still full of recent failures: forget the oldest tenth.
            let mut ages: Vec<(Instant, String)> = entries
                .iter()
                .map(|(key, e)| (e.last_failure, key.clone()))
                .collect();
            ages.sort();
            for (_, key) in ages.into_iter().take(MOST_ENTRIES / 10) {
                entries.remove(&key);
            }
        }
        for (key, limit) in [
            (account_key(address, username), PER_ACCOUNT),
            (address_key(address), PER_ADDRESS),
            (name_key(username), PER_NAME),
        ] {
            let entry = entries.entry(key).or_insert(Entry {
                failures: 0,
                last_failure: now,
                locked_until: None,
            });
            if now.duration_since(entry.last_failure) > WINDOW {
                entry.failures = 0;
            }
            entry.failures += 1;
            entry.last_failure = now;
            if entry.failures >= limit {
                let doublings = (entry.failures - limit).min(10);
                let lock = BASE_LOCK.saturating_mul(1 << doublings).min(MAX_LOCK);
                entry.locked_until = Some(now + lock);
            }
        }
    }

    /// Forget the account's failures after a successful sign-in.
    pub fn succeeded(&self, address: &str, username: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.remove(&account_key(address, username));
    }
}

fn account_key(address: &str, username: &str) -> String {
    format!("{address}\u{0}{}", username.trim().to_lowercase())
}

fn address_key(address: &str) -> String {
    address.to_owned()
}

fn name_key(username: &str) -> String {
    format!("\u{0}{}", username.trim().to_lowercase())
}

impl LoginThrottle {
    /// How many counters are kept (bounded by [`MOST_ENTRIES`]).
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Whether no counters are kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_the_account_for_this_address() {
        let throttle = LoginThrottle::default();
        for _ in 0..PER_ACCOUNT - 1 {
            throttle.failed("10.0.0.1", "alice");
        }
        assert_eq!(throttle.check("10.0.0.1", "alice"), None);
        throttle.failed("10.0.0.1", "Alice");
        let wait = throttle.check("10.0.0.1", "alice");
        assert!(wait.is_some_and(|w| w > Duration::from_secs(25)));
        assert_eq!(throttle.check("10.0.0.2", "alice"), None);
        assert_eq!(throttle.check("10.0.0.1", "bob"), None);
    }

    #[test]
    fn many_names_from_one_address_lock_the_address() {
        let throttle = LoginThrottle::default();
        for i in 0..PER_ADDRESS {
            throttle.failed("10.0.0.9", &format!("user{i}"));
        }
        assert!(throttle.check("10.0.0.9", "someone-else").is_some());
    }

    #[test]
    fn one_account_is_locked_from_anywhere_after_many_failures() {
        let throttle = LoginThrottle::default();
        for i in 0..PER_NAME {
            throttle.failed(&format!("10.1.{}.{}", i / 250, i % 250), "alice");
        }
        assert!(throttle.check("192.0.2.1", "alice").is_some());
        assert_eq!(throttle.check("192.0.2.1", "bob"), None);
    }

    #[test]
    fn a_flood_of_names_and_addresses_stays_bounded() {
        let throttle = LoginThrottle::default();
        for i in 0..30_000u32 {
            throttle.failed(
                &format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255),
                &format!("u{i}"),
            );
        }
        assert!(throttle.len() <= MOST_ENTRIES, "{}", throttle.len());
    }

    #[test]
    fn success_clears_the_account_counter() {
        let throttle = LoginThrottle::default();
        for _ in 0..PER_ACCOUNT - 1 {
            throttle.failed("10.0.0.1", "alice");
        }
        throttle.succeeded("10.0.0.1", "alice");
        throttle.failed("10.0.0.1", "alice");
        assert_eq!(throttle.check("10.0.0.1", "alice"), None);
    }
}
