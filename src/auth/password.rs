//! argon2id hashing and verification, always off the async executor (a hash takes tens of ms),
//! at most one per core at a time, with a bounded queue: a burst of sign-ins beyond it is answered
//! 503 with `Retry-After` instead of piling up work (and memory: argon2 takes 19 MiB a hash).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Semaphore;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::error::AppError;

/// Password work waiting per core before further requests are turned away.
const QUEUE_PER_CORE: usize = 4;

/// Bounded argon2 work.
#[derive(Debug)]
pub struct Passwords {
    running: Semaphore,
    waiting: AtomicUsize,
    most_waiting: usize,
}

impl Default for Passwords {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self {
            running: Semaphore::new(cores),
            waiting: AtomicUsize::new(0),
            most_waiting: cores * QUEUE_PER_CORE,
        }
    }
}

impl Passwords {
    /// Run `work` when a core is free, or refuse at once when the queue is full.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.most_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(AppError::Busy {
                message: "The server is checking many passwords right now. Try again in a moment."
                    .into(),
                retry_after: 2,
            });
        }
        let permit = self.running.acquire().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let _permit = permit.map_err(|e| AppError::Unexpected(e.into()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| AppError::Unexpected(e.into()))
    }

    /// Hash a password to an argon2id PHC string (default parameters, random salt).
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.run(move || hash_blocking(&password))
            .await?
            .map_err(AppError::Unexpected)
    }

    /// Verify `password` against `stored`. With no stored hash (unknown user) a dummy hash is
    /// verified anyway, so the time taken does not reveal whether the account exists.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, AppError> {
        self.run(move || verify_blocking(&password, stored)).await
    }
}

/// Blocking variant for start-up code that runs before the server.
pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("argon2 hashing failed: {e}"))
}

fn verify_blocking(password: &str, stored: Option<String>) -> bool {
    let known = stored.is_some();
    let hash = match stored {
        Some(hash) => hash,
        None => dummy_hash().to_owned(),
    };
    let ok = Argon2::default()
        .verify_password(password.as_bytes(), hash.as_str())
        .is_ok();
    known && ok
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_blocking("redstage-dummy-password").unwrap_or_else(|_| String::from("$argon2id$"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() -> anyhow::Result<()> {
        let passwords = Passwords::default();
        let stored = passwords.hash("correct horse".into()).await?;
        assert!(stored.starts_with("$argon2id$"));
        assert!(
            passwords
                .verify("correct horse".into(), Some(stored.clone()))
                .await?
        );
        assert!(!passwords.verify("wrong horse".into(), Some(stored)).await?);
        assert!(
            !passwords
                .verify("redstage-dummy-password".into(), None)
                .await?
        );
        Ok(())
    }

    #[tokio::test]
    async fn a_full_queue_is_refused_at_once() {
        let passwords = std::sync::Arc::new(Passwords {
            running: Semaphore::new(1),
            waiting: AtomicUsize::new(0),
            most_waiting: 2,
        });
        let burst: Vec<_> = (0..8)
            .map(|_| {
                let passwords = passwords.clone();
                tokio::spawn(async move { passwords.verify("x".into(), None).await })
            })
            .collect();
        let mut busy = 0;
        for result in futures_util::future::join_all(burst).await {
            match result {
                Ok(Err(AppError::Busy { retry_after, .. })) => {
                    assert!(retry_after > 0);
                    busy += 1;
                }
                Ok(Ok(verified)) => assert!(!verified),
                other => panic!("{other:?}"),
            }
        }
        assert!(busy >= 5, "most of the burst was turned away: {busy}");
    }
}
