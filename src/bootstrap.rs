//! The first start: with an empty database, the first administrator is created, from the
//! configuration or with a generated password that is printed once.

use crate::auth::password;
use crate::config::Settings;
use crate::db::Db;
use crate::db::ids::random_id;
use crate::db::models::users;

/// How the first administrator came to be, reported once on the console.
#[derive(Debug, Clone)]
pub enum AdminBootstrap {
    /// Created from `REDSTAGE_ADMIN_USER` / `REDSTAGE_ADMIN_PASSWORD`.
    FromConfig {
        /// The administrator's user name.
        username: String,
    },
    /// Created with a generated password, printed once.
    Generated {
        /// The administrator's user name (`admin`).
        username: String,
        /// The generated password.
        password: String,
    },
}

/// With no users yet: create the configured administrator, or `admin` with a generated password.
pub fn first_admin(db: &Db, settings: &Settings) -> anyhow::Result<Option<AdminBootstrap>> {
    let count = db.run_sync(|conn| Ok(users::count(conn)?))?;
    if count > 0 {
        return Ok(None);
    }
    let (username, plain, report) = match &settings.admin {
        Some(admin) => {
            let username = crate::domain::names::username(&admin.username).map_err(|e| {
                anyhow::anyhow!("REDSTAGE_ADMIN_USER is not a valid user name: {e}")
            })?;
            crate::domain::names::password(&admin.password)
                .map_err(|e| anyhow::anyhow!("REDSTAGE_ADMIN_PASSWORD is not accepted: {e}"))?;
            let report = AdminBootstrap::FromConfig {
                username: username.clone(),
            };
            (username, admin.password.clone(), report)
        }
        None => {
            let password = random_id();
            let report = AdminBootstrap::Generated {
                username: "admin".into(),
                password: password.clone(),
            };
            ("admin".to_owned(), password, report)
        }
    };
    let hash = password::hash_blocking(&plain)?;
    db.run_sync(|conn| Ok(users::insert(conn, &username, &hash, true)?))?;
    tracing::info!(user = %username, "created the first administrator");
    Ok(Some(report))
}
