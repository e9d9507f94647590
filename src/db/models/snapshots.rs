//! `snapshots`: stored copies of an instance's content (flows, credentials ENCRYPTED with the
//! instance's own credentialSecret in Node-RED's `flows_cred.json` format, env keys, modules),
//! taken by promotions to restore from and to show what was deployed.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::db::ids::{InstanceId, SnapshotId, UserId};
use crate::db::schema::snapshots as s;
use crate::db::{Conn, now_ms};
use crate::domain::states::SnapshotKind;

/// Kinds of snapshot.
pub mod kind {
    use crate::domain::states::SnapshotKind;

    /// The target as it was before a promotion (what a failure restores).
    pub const BEFORE_PROMOTION: SnapshotKind = SnapshotKind::BeforePromotion;
    /// What a promotion deployed.
    pub const PROMOTED: SnapshotKind = SnapshotKind::Promoted;
}

/// How many snapshots an instance keeps (older ones go, unless a running promotion needs them).
pub const KEEP_PER_INSTANCE: i64 = 10;

/// A stored snapshot.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = s, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Snapshot {
    /// Opaque id.
    pub id: SnapshotId,
    /// The instance it is a copy of (or was deployed to).
    pub instance_id: InstanceId,
    /// See [`kind`].
    #[diesel(deserialize_as = String)]
    pub kind: SnapshotKind,
    /// JSON array of nodes, as `GET /flows` gives them.
    pub flows: String,
    /// `{"$": ...}`: the credentials encrypted with the instance's credentialSecret.
    pub credentials: String,
    /// JSON array of env var keys.
    pub env_keys: String,
    /// JSON object module -> version (modules beyond Node-RED's own).
    pub modules: String,
    /// Who caused it.
    pub created_by: Option<UserId>,
    /// Unix milliseconds.
    pub created_at: i64,
}

impl Snapshot {
    /// The env keys it recorded.
    pub fn keys(&self) -> Vec<String> {
        serde_json::from_str(&self.env_keys).unwrap_or_default()
    }

    /// The modules (name -> version) it recorded.
    pub fn modules(&self) -> BTreeMap<String, String> {
        serde_json::from_str(&self.modules).unwrap_or_default()
    }

    /// The modules it recorded that `other` did not: for a `promoted` snapshot and the
    /// `before-promotion` one of the same deployment, what the promotion installed.
    pub fn modules_beyond(&self, other: &Snapshot) -> Vec<String> {
        let before = other.modules();
        self.modules()
            .into_keys()
            .filter(|module| !before.contains_key(module))
            .collect()
    }
}

/// What a new snapshot is made of (all JSON text; credentials already encrypted).
pub struct NewSnapshot<'a> {
    /// Instance.
    pub instance: &'a InstanceId,
    /// See [`kind`].
    pub kind: SnapshotKind,
    /// JSON array of nodes.
    pub flows: &'a str,
    /// Encrypted credentials file content.
    pub credentials: &'a str,
    /// JSON array of keys.
    pub env_keys: &'a str,
    /// JSON object module -> version.
    pub modules: &'a str,
    /// Who caused it.
    pub created_by: Option<&'a UserId>,
}

/// Store a snapshot.
pub fn insert(conn: &mut Conn, new: NewSnapshot<'_>) -> QueryResult<Snapshot> {
    diesel::insert_into(s::table)
        .values((
            s::id.eq(SnapshotId::generate()),
            s::instance_id.eq(new.instance),
            s::kind.eq(new.kind.as_str()),
            s::flows.eq(new.flows),
            s::credentials.eq(new.credentials),
            s::env_keys.eq(new.env_keys),
            s::modules.eq(new.modules),
            s::created_by.eq(new.created_by),
            s::created_at.eq(now_ms()),
        ))
        .returning(Snapshot::as_returning())
        .get_result(conn)
}

/// A snapshot by id.
pub fn find(conn: &mut Conn, id: &SnapshotId) -> QueryResult<Snapshot> {
    s::table.find(id).select(Snapshot::as_select()).first(conn)
}

/// The instance's snapshots, newest first.
pub fn list_for_instance(conn: &mut Conn, instance: &InstanceId) -> QueryResult<Vec<Snapshot>> {
    s::table
        .filter(s::instance_id.eq(instance))
        .order((s::created_at.desc(), s::id.desc()))
        .select(Snapshot::as_select())
        .load(conn)
}

/// Delete the instance's snapshots beyond the newest `keep`, except those a queued or running
/// promotion refers to. Finished deployments that pointed at a deleted one keep a NULL.
pub fn prune(conn: &mut Conn, instance: &InstanceId, keep: i64) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM snapshots WHERE instance_id = ?
           AND id NOT IN (SELECT id FROM snapshots WHERE instance_id = ?
                          ORDER BY created_at DESC, id DESC LIMIT ?)
           AND id NOT IN (SELECT snapshot_before FROM deployments
                          WHERE status IN ('queued', 'running') AND snapshot_before IS NOT NULL
                          UNION SELECT snapshot_promoted FROM deployments
                          WHERE status IN ('queued', 'running') AND snapshot_promoted IS NOT NULL)",
    )
    .bind::<Text, _>(instance.as_str())
    .bind::<Text, _>(instance.as_str())
    .bind::<BigInt, _>(keep)
    .execute(conn)
}
