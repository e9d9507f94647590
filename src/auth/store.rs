//! Platform sessions kept in SQLite (an actix-session store over the diesel pool): the cookie holds
//! a random key, the database its SHA-256 with the session's values, who it belongs to, where it
//! was signed in from and when it was last seen. Sessions end after an idle time and after an
//! absolute lifetime, and can be listed and revoked (the Account page, administrators).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration as CookieDuration;

use super::secret;
use crate::db::Db;
use crate::db::ids::{UserId, random_id};
use crate::db::models::sessions::{self, Facts};
use crate::db::now_ms;

/// The session values the store reads to know whose session it is and where it comes from.
pub mod keys {
    /// The signed-in user's id.
    pub const USER_ID: &str = "uid";
    /// The sign-in's id (what a revocation names).
    pub const SID: &str = "sid";
    /// The browser it was signed in from.
    pub const USER_AGENT: &str = "ua";
    /// The address it was signed in from.
    pub const ADDRESS: &str = "ip";
}

/// How long sessions live.
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    /// Unused for this long, a signed-in session ends.
    pub idle: Duration,
    /// Whatever its use, a session ends this long after its sign-in.
    pub absolute: Duration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(7 * 24 * 3600),
            absolute: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

/// Sessions nobody signed in with (the sign-in form's) end after this long unused.
const ANONYMOUS_IDLE: Duration = Duration::from_secs(3600);
/// A session's last use is written at most this often.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// The store.
#[derive(Clone)]
pub struct DbSessionStore {
    db: Db,
    limits: SessionLimits,
    /// When each session's last use was last written (by key digest).
    touched: Arc<Mutex<HashMap<String, Instant>>>,
}

impl DbSessionStore {
    /// A store over `db`.
    pub fn new(db: Db, limits: SessionLimits) -> Self {
        Self {
            db,
            limits,
            touched: Arc::default(),
        }
    }

    /// How long cookies are kept by browsers.
    pub fn cookie_ttl(&self) -> CookieDuration {
        CookieDuration::seconds(i64::try_from(self.limits.idle.as_secs()).unwrap_or(i64::MAX))
    }

    fn expires_at(&self, facts: &Facts) -> i64 {
        let idle = match facts.user_id {
            Some(_) => self.limits.idle,
            None => ANONYMOUS_IDLE,
        };
        now_ms().saturating_add(i64::try_from(idle.as_millis()).unwrap_or(i64::MAX))
    }
}

/// One value of a session state (actix-session keeps each as JSON).
fn value(state: &HashMap<String, String>, key: &str) -> Option<String> {
    serde_json::from_str(state.get(key)?).ok()
}

/// What is stored of a session besides its values, read from them.
fn facts(state: &HashMap<String, String>) -> Facts {
    Facts {
        user_id: value(state, keys::USER_ID).map(UserId::from),
        sign_in: value(state, keys::SID),
        user_agent: value(state, keys::USER_AGENT).unwrap_or_default(),
        address: value(state, keys::ADDRESS).unwrap_or_default(),
    }
}

impl SessionStore for DbSessionStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<HashMap<String, String>>, LoadError> {
        let digest = secret::digest(key.as_ref());
        let absolute = i64::try_from(self.limits.absolute.as_millis()).unwrap_or(i64::MAX);
        let created_after = now_ms().saturating_sub(absolute);
        let stored = self
            .db
            .run(move |conn| Ok(sessions::load(conn, &digest, created_after)?))
            .await
            .map_err(|e| LoadError::Other(anyhow::anyhow!("{e}")))?;
        stored
            .map(|text| serde_json::from_str(&text))
            .transpose()
            .map_err(|e| LoadError::Deserialization(e.into()))
    }

    async fn save(
        &self,
        state: HashMap<String, String>,
        _ttl: &CookieDuration,
    ) -> Result<SessionKey, SaveError> {
        let text = serde_json::to_string(&state).map_err(|e| SaveError::Serialization(e.into()))?;
        let key = secret::random_token();
        let (digest, facts) = (secret::digest(&key), facts(&state));
        let expires = self.expires_at(&facts);
        self.db
            .run(move |conn| {
                Ok(sessions::insert(
                    conn,
                    &digest,
                    &random_id(),
                    &text,
                    &facts,
                    expires,
                )?)
            })
            .await
            .map_err(|e| SaveError::Other(anyhow::anyhow!("{e}")))?;
        SessionKey::try_from(key).map_err(|e| SaveError::Other(e.into()))
    }

    async fn update(
        &self,
        key: SessionKey,
        state: HashMap<String, String>,
        ttl: &CookieDuration,
    ) -> Result<SessionKey, UpdateError> {
        let text =
            serde_json::to_string(&state).map_err(|e| UpdateError::Serialization(e.into()))?;
        let (digest, facts) = (secret::digest(key.as_ref()), facts(&state));
        let expires = self.expires_at(&facts);
        let found = self
            .db
            .run(move |conn| Ok(sessions::update(conn, &digest, &text, &facts, expires)?))
            .await
            .map_err(|e| UpdateError::Other(anyhow::anyhow!("{e}")))?;
        if found {
            return Ok(key);
        }
        // Revoked or expired meanwhile: a new session holds the values.
        self.save(state, ttl).await.map_err(|e| match e {
            SaveError::Serialization(e) => UpdateError::Serialization(e),
            SaveError::Other(e) => UpdateError::Other(e),
        })
    }

    async fn update_ttl(&self, key: &SessionKey, _ttl: &CookieDuration) -> anyhow::Result<()> {
        let digest = secret::digest(key.as_ref());
        {
            let mut touched = self.touched.lock().unwrap_or_else(|p| p.into_inner());
            if touched
                .get(&digest)
                .is_some_and(|at| at.elapsed() < TOUCH_EVERY)
            {
                return Ok(());
            }
            if touched.len() > 100_000 {
                touched.clear();
            }
            touched.insert(digest.clone(), Instant::now());
        }
        let idle = i64::try_from(self.limits.idle.as_millis()).unwrap_or(i64::MAX);
        let expires = now_ms().saturating_add(idle);
        self.db
            .run(move |conn| Ok(sessions::touch(conn, &digest, expires)?))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    async fn delete(&self, key: &SessionKey) -> anyhow::Result<()> {
        let digest = secret::digest(key.as_ref());
        self.db
            .run(move |conn| Ok(sessions::delete(conn, &digest)?))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    }
}
