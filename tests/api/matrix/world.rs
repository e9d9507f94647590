//! The matrix's world: the fixture's team, made complete in the database (no runtime is started
//! by it): instances (one protected), pipelines with stages, queued deployments, an env var, and
//! per role a throwaway pipeline, stage, env var and team member for the destructive rows.

use redstage::db::Conn;
use redstage::db::ids::{ApplicationId, InstanceId, PipelineId, StageId};
use redstage::db::models::deployments::{self, Claim};
use redstage::db::models::env_vars::{self, EnvVar};
use redstage::db::models::instances::{self, NewInstance};
use redstage::db::models::users::{self, User};
use redstage::db::models::{members, pipelines, stages, teams};
use redstage::domain::roles::Role;
use redstage::domain::stages::Placement;
use redstage::error::AppError;

use crate::helpers::promotion::db;
use crate::helpers::{Fixture, Res, TestApp};

/// The team's objects by placeholder (`{dev}`), and per role its throwaway ones (`{doomed_…}`).
pub struct World {
    shared: Vec<(&'static str, String)>,
    doomed: Vec<(Role, Vec<(&'static str, String)>)>,
}

/// A stage bound to `instance` at the end of `pipeline`.
fn stage(
    conn: &mut Conn,
    pipeline: &PipelineId,
    instance: &InstanceId,
) -> Result<StageId, AppError> {
    let name = format!("Stage {instance}");
    Ok(stages::add(conn, pipeline, &name, instance, &Placement::End)?.id)
}

/// An instance record (its runtime never started): its id.
fn instance(conn: &mut Conn, app: &ApplicationId, name: &str) -> Result<InstanceId, AppError> {
    let new = NewInstance {
        application: app,
        name,
        credential_secret: &"0123456789abcdef".repeat(4),
        node_red_version: redstage::nodered::install::NODE_RED_VERSION,
    };
    Ok(instances::create(conn, new)?.id)
}

/// A queued promotion from the first stage of `pipeline` onto its second (what a press of play
/// claims): the target is busy, so a further play onto it is a 409, not a promotion.
fn queued(
    conn: &mut Conn,
    pipeline: &PipelineId,
    ends: [(&StageId, &InstanceId); 2],
    by: &User,
) -> Result<String, AppError> {
    let claim = Claim {
        pipeline,
        stages: (ends[0].0, ends[1].0),
        instances: (ends[0].1, ends[1].1),
        names: ("Source", "Target"),
        user: (&by.id, &by.username),
    };
    Ok(deployments::claim(conn, claim)?.id.to_string())
}

/// An account that only exists (no password anyone knows), in the team with `role` if given.
fn account(
    conn: &mut Conn,
    name: &str,
    team: Option<(&teams::Team, Role)>,
) -> Result<User, AppError> {
    let user = users::insert(conn, name, "not-a-hash", false)?;
    if let Some((team, role)) = team {
        members::add(conn, &team.id, &user.id, role)?;
    }
    Ok(user)
}

impl World {
    /// Build it around the fixture (team plant-ops, application Line 1).
    pub async fn build(app: &TestApp, f: &Fixture) -> Res<World> {
        let app_id = ApplicationId::from(f.app_id.clone());
        let mut world = db(app, move |conn| {
            let owner = users::find_by_username(conn, "olivia")?.ok_or(AppError::NotFound)?;
            let viewer = users::find_by_username(conn, "vera")?.ok_or(AppError::NotFound)?;
            let team = teams::scope(conn, "plant-ops", &owner.id)?.team;
            let dev = instance(conn, &app_id, "Development")?;
            let prod = instance(conn, &app_id, "Production")?;
            let vault = instance(conn, &app_id, "Vault")?;
            instances::set_protected(conn, &vault, true)?;
            let doomed_key = |role: Role| format!("DOOMED_{}", role.as_str().to_uppercase());
            let keys = Role::ALL.map(doomed_key);
            for id in [&dev, &vault] {
                for key in keys.iter().chain([&"MATRIX_KEY".to_owned()]) {
                    let var = EnvVar {
                        key: key.clone(),
                        value: Some("1".into()),
                        hidden: false,
                    };
                    env_vars::add(conn, id, &var)?;
                }
            }
            let release = pipelines::create(conn, &app_id, "Release")?.id;
            let (first, second) = (stage(conn, &release, &dev)?, stage(conn, &release, &prod)?);
            let deployment = queued(conn, &release, [(&first, &dev), (&second, &prod)], &owner)?;
            let guarded = pipelines::create(conn, &app_id, "Guarded")?.id;
            let (from, onto) = (stage(conn, &guarded, &dev)?, stage(conn, &guarded, &vault)?);
            queued(conn, &guarded, [(&from, &dev), (&onto, &vault)], &owner)?;
            let tess = account(conn, "tess", None)?;
            let mut doomed = Vec::new();
            for role in Role::ALL {
                let pipeline = pipelines::create(conn, &app_id, &format!("Doomed {role}"))?.id;
                let stage = stage(conn, &pipeline, &prod)?;
                let member = account(
                    conn,
                    &format!("doomed-{}", role.as_str()),
                    Some((&team, Role::Viewer)),
                )?;
                let ids = vec![
                    ("{doomed_pipeline}", pipeline.to_string()),
                    ("{doomed_stage}", stage.to_string()),
                    ("{doomed_member}", member.id.to_string()),
                    ("{doomed_key}", doomed_key(role)),
                ];
                doomed.push((role, ids));
            }
            let shared = vec![
                ("{team}", team.slug.clone()),
                ("{app}", app_id.to_string()),
                ("{dev}", dev.to_string()),
                ("{vault}", vault.to_string()),
                ("{release}", release.to_string()),
                ("{stage}", first.to_string()),
                ("{guarded_stage}", from.to_string()),
                ("{deployment}", deployment),
                ("{viewer}", viewer.id.to_string()),
                ("{tess}", tess.id.to_string()),
            ];
            Ok(World { shared, doomed })
        })
        .await?;
        // The owner's session in a second browser: theirs to sign out, nobody else's.
        let laptop = app.browser();
        laptop.login("olivia", crate::helpers::PASSWORD).await?;
        let account = f.owner.get("/account").await?;
        let revoke = account
            .attr("tr.session form[action$='/revoke']", "action")
            .ok_or("no session on the owner's account page")?;
        let session = revoke.split('/').nth(3).ok_or("no session id")?.to_owned();
        world.shared.push(("{session}", session));
        Ok(world)
    }

    /// `template` with every placeholder filled, the `{doomed_…}` ones with `role`'s own objects
    /// (the viewer's for people outside the team).
    pub fn path(&self, template: &str, role: Option<Role>) -> String {
        let role = role.unwrap_or(Role::Viewer);
        let own = self.doomed.iter().filter(|(r, _)| *r == role);
        let mut path = template.to_owned();
        for (placeholder, value) in self.shared.iter().chain(own.flat_map(|(_, ids)| ids)) {
            path = path.replace(placeholder, value);
        }
        assert!(!path.contains('{'), "unfilled placeholder in {path}");
        path
    }
}
