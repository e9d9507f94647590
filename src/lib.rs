//! redstage: DevOps Pipelines for Node-RED, as a self-hosted web application.
//!
//! Rooms: `config` (settings), `startup` (wiring), `db` (SQLite via diesel), `domain` (pure rules),
//! `auth` (passwords, sessions, CSRF, throttling), `events` (the change hub live pages
//! listen to), `web` (routes, views, htmx helpers).

pub mod auth;
pub mod bootstrap;
pub mod config;
pub mod datadir;
pub mod db;
pub mod domain;
pub mod error;
pub mod events;
pub mod instances;
pub mod nodered;
pub mod promotion;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod web;
