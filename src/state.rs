//! The application state shared by every request handler (`web::Data<AppState>`).

use crate::auth::throttle::LoginThrottle;
use crate::config::Settings;
use crate::db::Db;

/// Everything handlers need, built once in `Application::build`.
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Effective configuration.
    pub settings: Settings,
    /// Failed sign-in counters.
    pub throttle: LoginThrottle,
}
