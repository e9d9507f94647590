//! The integration test binary: a real redstage server on a free port with a fresh SQLite file
//! per test, driven over HTTP with a cookie-keeping client per user.

// Panicking on a broken harness is the right failure mode in tests.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod helpers;

mod applications;
mod auth;
mod bootstrap;
mod browser;
mod csrf;
mod datadir;
mod editor;
mod first_run;
mod flows_http;
mod forms;
mod instance_settings;
mod instances;
mod isolation;
mod logs;
mod matrix;
mod members;
mod npm_registry;
mod pipelines;
mod play;
mod promotion;
mod sandbox;
mod sessions;
mod teams;
