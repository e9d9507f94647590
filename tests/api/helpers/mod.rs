//! Test harness: the app, browsers, fixtures and the Node-RED helpers.

mod app;
pub mod binary;
mod browser;
mod fixture;
mod origin;
mod pipelines;
pub mod promotion;
mod runtime;

pub use app::*;
pub use browser::*;
pub use fixture::*;
pub use pipelines::ShownStage;
pub use runtime::flow_file;

pub type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;
pub type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "admin-password-1";
pub const PASSWORD: &str = "correct-horse-9";
