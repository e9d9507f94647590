//! After the pre-flight, in one transaction: store the target as it is (kind `before-promotion`)
//! and what is about to be deployed (kind `promoted`), both with credentials ENCRYPTED with the
//! target's secret; link them to the deployment; give the target the source's env keys it lacks,
//! without a value. From here on a failure restores the target.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::read::{Source, Target};
use super::{Ctx, Failure, Job};
use crate::db::Conn;
use crate::db::ids::SnapshotId;
use crate::db::models::deployments;
use crate::db::models::env_vars::{self, EnvVar};
use crate::db::models::snapshots::{self, KEEP_PER_INSTANCE, NewSnapshot, kind};
use crate::domain::env::keys_to_add;
use crate::domain::nodes::{Nodes, SharedText};
use crate::error::AppError;
use crate::nodered::credentials;

/// What the transaction changed and what the target's process should now run with.
pub(crate) struct Applied {
    /// The snapshot to restore from.
    pub(crate) before: SnapshotId,
    /// Env keys added to the target without a value.
    pub(crate) added: Vec<String>,
    /// The target's variables that have a value, sorted: its process environment from now on.
    pub(crate) env: Vec<(String, String)>,
}

/// A snapshot's content, serialised (credentials encrypted) before the transaction; the flows are
/// the text the runtime gave, shared rather than copied or encoded again.
struct Content {
    flows: SharedText,
    credentials: String,
    modules: String,
}

impl Content {
    fn new(
        flows: &Nodes,
        creds: &Map<String, Value>,
        modules: &BTreeMap<String, String>,
        secret: &str,
    ) -> Result<Self, AppError> {
        Ok(Self {
            flows: flows.shared(),
            credentials: credentials::encrypt(secret, creds).to_string(),
            modules: serde_json::to_string(modules).map_err(anyhow::Error::from)?,
        })
    }
}

/// Store both snapshots, link them, add the missing env keys.
pub(crate) async fn take(
    ctx: &Ctx,
    job: &Job,
    source: &Source,
    target: &Target,
) -> Result<Applied, Failure> {
    let secret = &job.target.credential_secret;
    let before = Content::new(
        &target.flows,
        &target.credentials,
        &target.catalog.modules,
        secret,
    )?;
    let promoted = Content::new(&source.flows, &source.credentials, &source.modules, secret)?;
    let (deployment, user) = (job.id.clone(), job.actor.id.clone());
    let (source_id, target_id) = (job.source.id.clone(), job.target.id.clone());
    let applied = ctx
        .db
        .run(move |conn| {
            conn.immediate_transaction(|conn| {
                let source_env = env_vars::list(conn, &source_id)?;
                let target_env = env_vars::list(conn, &target_id)?;
                let store = |conn: &mut Conn, kind, content: &Content, env: &[EnvVar]| {
                    let keys: Vec<&str> = env.iter().map(|v| v.key.as_str()).collect();
                    let keys = serde_json::to_string(&keys).unwrap_or_else(|_| "[]".into());
                    let new = NewSnapshot {
                        instance: &target_id,
                        kind,
                        flows: &content.flows,
                        credentials: &content.credentials,
                        env_keys: &keys,
                        modules: &content.modules,
                        created_by: user.as_ref(),
                    };
                    snapshots::insert(conn, new)
                };
                let before = store(conn, kind::BEFORE_PROMOTION, &before, &target_env)?;
                let promoted = store(conn, kind::PROMOTED, &promoted, &source_env)?;
                deployments::set_snapshots(conn, &deployment, &before.id, &promoted.id)?;
                let added = add_keys(conn, &target_id, &source_env, &target_env)?;
                snapshots::prune(conn, &target_id, KEEP_PER_INSTANCE)?;
                let mut env: Vec<(String, String)> = target_env
                    .into_iter()
                    .filter_map(|v| v.value.map(|value| (v.key, value)))
                    .collect();
                env.sort();
                Ok::<_, AppError>(Applied {
                    before: before.id,
                    added,
                    env,
                })
            })
        })
        .await?;
    Ok(applied)
}

/// Add every source key the target lacks, with no value (hidden like on the source).
fn add_keys(
    conn: &mut Conn,
    target: &crate::db::ids::InstanceId,
    source_env: &[EnvVar],
    target_env: &[EnvVar],
) -> diesel::QueryResult<Vec<String>> {
    let added = keys_to_add(
        source_env.iter().map(|v| v.key.as_str()),
        target_env.iter().map(|v| v.key.as_str()),
    );
    for key in &added {
        let hidden = source_env.iter().any(|v| &v.key == key && v.hidden);
        let var = EnvVar {
            key: key.clone(),
            value: None,
            hidden,
        };
        env_vars::add(conn, target, &var)?;
    }
    Ok(added)
}
