//! Test harness: the app, browsers, fixtures and the Node-RED helpers.

mod app;
pub mod binary;
mod browser;
mod fixture;
mod origin;
mod pipelines;
pub mod promotion;
pub mod registry;
mod runtime;
pub mod sse;

pub use app::*;
pub use browser::*;
pub use fixture::*;
pub use pipelines::ShownStage;
pub use runtime::flow_file;

/// `secs` seconds, scaled by `TEST_PATIENCE` (a positive factor, default 1): every wait for
/// something to happen in the tests uses it, so a slow machine can allow more time.
pub fn patience(secs: u64) -> std::time::Duration {
    static FACTOR: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    let factor = FACTOR.get_or_init(|| {
        std::env::var("TEST_PATIENCE")
            .ok()
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|f| f.is_finite() && *f > 0.0)
            .unwrap_or(1.0)
    });
    std::time::Duration::from_secs_f64(secs as f64 * factor)
}

/// The random source of a property test: seeded from `TEST_SEED`, or a fixed seed, and the seed
/// printed (test output is shown when a test fails) so a failing run can be repeated exactly.
pub fn seeded_rng(test: &str) -> rand::rngs::StdRng {
    use rand::SeedableRng;
    let seed = std::env::var("TEST_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_2026_u64);
    eprintln!("{test}: seed {seed} (TEST_SEED={seed} repeats this run)");
    rand::rngs::StdRng::seed_from_u64(seed)
}

pub type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;
pub type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "admin-password-1";
pub const PASSWORD: &str = "correct-horse-9";
