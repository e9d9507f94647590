//! End-to-end tests in a real Chromium: the DevOps Pipelines walkthrough as a user clicks it.

mod attack;
mod chrome;
mod live;
mod rollback;
mod stages;
mod walkthrough;

pub use chrome::Chrome;
