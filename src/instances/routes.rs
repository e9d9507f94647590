//! Which instance an instance origin's label names, with its settings, remembered for a moment:
//! every flow request needs it, and SQLite behind the blocking pool would cost more than the
//! proxying itself. Anything that changes an instance's label, settings or existence forgets
//! them all at once; entries also expire after [`FRESH_FOR`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::db::models::instance_settings::InstanceSettings;
use crate::db::models::instances::Instance;

/// How long a looked-up route is trusted without asking the database again.
pub const FRESH_FOR: Duration = Duration::from_secs(2);
/// Most routes remembered (past it, all are forgotten: the next requests look them up again).
const MOST: usize = 10_000;

/// An instance origin's instance and its settings.
#[derive(Debug)]
pub struct Route {
    /// The instance (looked up by its label or a recent alias of it).
    pub instance: Instance,
    /// Its settings.
    pub settings: InstanceSettings,
}

/// The remembered routes, by label.
#[derive(Debug, Default)]
pub struct Routes(Mutex<HashMap<String, (Instant, Arc<Route>)>>);

impl Routes {
    /// The route of `label`, if looked up less than [`FRESH_FOR`] ago.
    pub fn get(&self, label: &str) -> Option<Arc<Route>> {
        let entries = self.0.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(label)
            .filter(|(at, _)| at.elapsed() < FRESH_FOR)
            .map(|(_, route)| route.clone())
    }

    /// Remember the route of `label`.
    pub fn put(&self, label: &str, route: Arc<Route>) {
        let mut entries = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MOST {
            entries.clear();
        }
        entries.insert(label.to_owned(), (Instant::now(), route));
    }

    /// Forget every route (an instance's label, settings or existence changed).
    pub fn forget_all(&self) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}
