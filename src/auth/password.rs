//! argon2id hashing and verification, always off the async executor (a hash takes tens of ms).

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::error::AppError;

/// Hash a password to an argon2id PHC string (default parameters, random salt).
pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| AppError::Unexpected(e.into()))?
        .map_err(AppError::Unexpected)
}

/// Blocking variant for start-up code that runs before the server.
pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("argon2 hashing failed: {e}"))
}

/// Verify `password` against `stored`. With no stored hash (unknown user) a dummy hash is verified
/// anyway, so the time taken does not reveal whether the account exists.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let hash = match stored {
            Some(hash) => hash,
            None => dummy_hash().to_owned(),
        };
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok();
        known && ok
    })
    .await
    .map_err(|e| AppError::Unexpected(e.into()))
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
        let stored = hash("correct horse".into()).await?;
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse".into(), Some(stored.clone())).await?);
        assert!(!verify("wrong horse".into(), Some(stored)).await?);
        assert!(!verify("redstage-dummy-password".into(), None).await?);
        Ok(())
    }
}
