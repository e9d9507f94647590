//! What the measurements need, made through the web pages as a team would: the administrator,
//! a member of team "bench", applications, running instances, and a pipeline of stages.

use std::path::Path;
use std::sync::atomic::AtomicU32;

use anyhow::{Result, anyhow};
use redstage::db::Db;
use redstage::db::ids::InstanceId;
use redstage::nodered::tokens::{Access, TokenKey};

use crate::downtime::Origin;
use crate::flows::Runtime;
use crate::promote::Line;
use crate::server::{ADMIN, ADMIN_PASSWORD};
use crate::web::{Browser, id_in, values_after};

pub const TEAM: &str = "bench";
pub const MEMBER: &str = "mark";
pub const MEMBER_PASSWORD: &str = "bench-member-password-1";

/// The administrator (owner of team "bench") and a member of it, both signed in.
pub struct People {
    pub admin: Browser,
    pub member: Browser,
}

pub async fn people(base: &str) -> Result<People> {
    let admin = Browser::new(base)?;
    admin.login(ADMIN, ADMIN_PASSWORD).await?;
    admin
        .post_see_other(
            "/admin/users",
            &[("username", MEMBER), ("password", MEMBER_PASSWORD)],
        )
        .await?;
    admin
        .post_see_other("/teams", &[("name", "Bench"), ("slug", TEAM)])
        .await?;
    admin
        .post_see_other(
            &format!("/team/{TEAM}/members"),
            &[("username", MEMBER), ("role", "member")],
        )
        .await?;
    let member = Browser::new(base)?;
    member.login(MEMBER, MEMBER_PASSWORD).await?;
    Ok(People { admin, member })
}

/// A new application of team "bench"; its id.
pub async fn application(who: &Browser, name: &str) -> Result<String> {
    let location = who
        .post_see_other(
            &format!("/team/{TEAM}/applications"),
            &[("name", name), ("description", "")],
        )
        .await?;
    id_in(&location, "/application/", "/instances")
}

/// New instances (each starts its own Node-RED); their ids and ports once all run.
pub async fn instances(who: &Browser, app: &str, names: &[&str]) -> Result<Vec<(String, u16)>> {
    let mut ids = Vec::new();
    for name in names {
        let location = who
            .post_see_other(&format!("/application/{app}/instances"), &[("name", name)])
            .await?;
        ids.push(id_in(&location, "/instance/", "/overview")?);
    }
    let mut running = Vec::new();
    for id in ids {
        let port = who.wait_running(&id).await?;
        running.push((id, port));
    }
    Ok(running)
}

/// A pipeline with one stage per (name, instance id), added through the pipelines page; its
/// stage ids in order.
pub async fn pipeline(
    who: &Browser,
    app: &str,
    name: &str,
    stages: &[(&str, &str)],
) -> Result<Vec<String>> {
    let path = format!("/application/{app}/pipelines");
    who.post_see_other(&path, &[("name", name)]).await?;
    let page = who.get(&path).await?;
    let pipeline = values_after(&page.body, "<section id=\"pipeline-")
        .pop()
        .ok_or_else(|| anyhow!("the new pipeline is not on the page"))?;
    for (stage, instance) in stages {
        who.post_see_other(
            &format!("/pipeline/{pipeline}/stages"),
            &[("name", stage), ("instance", instance)],
        )
        .await?;
    }
    let page = who.get(&path).await?;
    Ok(values_after(&page.body, "id=\"stage-"))
}

/// Application "Line 1" with Development and Production running, a pipeline of both, and a
/// direct admin-API client of each runtime.
pub async fn line(
    data_dir: &Path,
    base: &str,
    member: Browser,
    app: &str,
    server: i32,
) -> Result<Line> {
    // The member is in the team; instances and the pipeline are made by them.
    let ids = instances(&member, app, &["Development", "Production"]).await?;
    let stages = [
        ("Development", ids[0].0.as_str()),
        ("Production", ids[1].0.as_str()),
    ];
    let stage_ids = pipeline(&member, app, "Release", &stages).await?;
    let key = TokenKey::load_or_create(&data_dir.join("runtime.key"))?;
    let runtime = |(id, port): &(String, u16)| {
        let id = InstanceId::from(id.clone());
        Runtime::new(
            *port,
            key.token(&id, Access::Full),
            key.token(&id, Access::Proxy),
        )
    };
    let db = Db::open(&data_dir.join("redstage.sqlite"))?;
    let target_id = InstanceId::from(ids[1].0.clone());
    let id = target_id.clone();
    let label = db
        .run(move |conn| Ok(redstage::db::models::instances::find(conn, &id)?.label))
        .await?;
    Ok(Line {
        member,
        origin: Origin::new(base, &label)?,
        stage: stage_ids.first().cloned().unwrap_or_default(),
        source: runtime(&ids[0])?,
        target: std::sync::Mutex::new(runtime(&ids[1])?),
        target_id,
        db,
        server,
        scratch: data_dir.to_owned(),
        tags: AtomicU32::new(1),
        noisy: AtomicU32::new(0),
    })
}
