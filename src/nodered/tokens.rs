//! Admin-API tokens of the runtimes. They are derived, not stored: HMAC-SHA256 of the instance id
//! under a server key kept in the data directory. settings.js holds only their SHA-256 hashes.

use std::path::Path;

use anyhow::Context;
use hmac::{Hmac, KeyInit, Mac};
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::db::ids::InstanceId;

/// The server key tokens are derived from.
#[derive(Clone)]
pub struct TokenKey([u8; 32]);

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(<secret>)")
    }
}

/// What a token lets its bearer do on the runtime's admin API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Everything (`permissions: "*"`): the server itself and editing members.
    Full,
    /// Read-only (`permissions: "read"`): viewers in the editor.
    Read,
    /// Not an admin token: the secret of [`super::PROXY_HEADER`] that proves a request came
    /// through redstage (the runtime refuses any other, so a flow cannot call a sibling's port).
    Proxy,
}

impl TokenKey {
    /// Load the key file, creating it (mode 0600) on first use.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Self> {
        if let Ok(bytes) = std::fs::read(path)
            && let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice())
        {
            return Ok(Self(key));
        }
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        crate::datadir::write_private(path, &key)
            .with_context(|| format!("cannot write the runtime key {}", path.display()))?;
        Ok(Self(key))
    }

    /// The bearer token for `instance` with `access`.
    pub fn token(&self, instance: &InstanceId, access: Access) -> String {
        let label = match access {
            Access::Full => "full",
            Access::Read => "read",
            Access::Proxy => "proxy",
        };
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(label.as_bytes());
        mac.update(b":");
        mac.update(instance.as_str().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// SHA-256 of a token, hex: what settings.js compares against.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_differ_by_instance_and_access_and_are_stable() {
        let key = TokenKey([7; 32]);
        let a = InstanceId::generate();
        let b = InstanceId::generate();
        assert_eq!(key.token(&a, Access::Full), key.token(&a, Access::Full));
        assert_ne!(key.token(&a, Access::Full), key.token(&a, Access::Read));
        assert_ne!(key.token(&a, Access::Proxy), key.token(&a, Access::Full));
        assert_ne!(key.token(&a, Access::Full), key.token(&b, Access::Full));
        assert_eq!(token_hash("abc").len(), 64);
    }
}
