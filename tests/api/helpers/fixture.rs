//! A ready-made team with one user per role and an application.

use super::{Browser, Res, TestApp};

/// A team "Plant Ops" (slug plant-ops) owned by `owner`, with a `viewer` and a `member`, and an application.
pub struct Fixture {
    pub owner: Browser,
    pub member: Browser,
    pub viewer: Browser,
    pub outsider: Browser,
    pub app_id: String,
}

pub async fn fixture(app: &TestApp) -> Res<Fixture> {
    let owner = app.user("olivia").await?;
    let member = app.user("mark").await?;
    let viewer = app.user("vera").await?;
    let outsider = app.user("otto").await?;
    app.team(&owner, "Plant Ops", "plant-ops").await?;
    app.add_member(&owner, "plant-ops", "mark", "member")
        .await?;
    app.add_member(&owner, "plant-ops", "vera", "viewer")
        .await?;
    let app_id = app.application(&owner, "plant-ops", "Line 1").await?;
    Ok(Fixture {
        owner,
        member,
        viewer,
        outsider,
        app_id,
    })
}
