//! The application state shared by every request handler (`web::Data<AppState>`).

use std::sync::Arc;

use crate::auth::throttle::LoginThrottle;
use crate::config::Settings;
use crate::db::Db;
use crate::domain::origins::Origins;
use crate::nodered::RuntimeDriver;

/// Everything handlers need, built once in `Application::build`.
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Effective configuration.
    pub settings: Settings,
    /// Failed sign-in counters.
    pub throttle: LoginThrottle,
    /// argon2 work, bounded.
    pub passwords: crate::auth::password::Passwords,
    /// The Node-RED runtimes of every instance, behind their driver.
    pub runtimes: Arc<dyn RuntimeDriver>,
    /// The platform origin and the instances' origins.
    pub origins: Origins,
    /// The HTTP client of the instance-origin proxy (no overall timeout: flows stream).
    pub proxy_http: reqwest::Client,
    /// Instance origins' labels, looked up recently.
    pub routes: crate::instances::routes::Routes,
    /// The gates that hold an instance's flow requests while redstage deploys to or restarts it.
    pub holds: Arc<crate::nodered::hold::Holds>,
    /// The change hub: what promotions, edits and runtimes changed, for the pages' live streams.
    pub events: crate::events::Events,
}

impl AppState {
    /// The handles instance work needs.
    pub fn instances(&self) -> crate::instances::Ctx<'_> {
        crate::instances::Ctx {
            db: &self.db,
            runtimes: &*self.runtimes,
            routes: &self.routes,
            holds: &self.holds,
        }
    }

    /// The handles promotions work with.
    pub fn promotions(&self) -> crate::promotion::Ctx {
        crate::promotion::Ctx::new(
            self.db.clone(),
            self.runtimes.clone(),
            self.holds.clone(),
            self.events.clone(),
        )
    }
}
