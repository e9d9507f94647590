//! Accounts' secrets, below the web tier: argon2id passwords (bounded, off the executor), random
//! secrets and their hashes, the SQLite-backed session store, and sign-in throttling. The web
//! tier's pieces (the session cookie, CSRF, the signed-in-user extractor) are in `web`.

pub mod password;
pub mod secret;
pub mod store;
pub mod throttle;
