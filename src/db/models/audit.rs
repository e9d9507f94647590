//! `audit_events`: who changed what in a team's pipelines and when, shown on the history page.

use diesel::prelude::*;

use crate::db::ids::{PipelineId, TeamId, UserId};
use crate::db::schema::audit_events as audit;
use crate::db::{Conn, now_ms};

/// One recorded event.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit, check_for_backend(diesel::sqlite::Sqlite))]
pub struct AuditEvent {
    /// Who did it (name kept even if the account goes).
    pub actor_name: String,
    /// What, e.g. `stage.added`, `promotion.succeeded`.
    pub action: String,
    /// On what, e.g. the stage or pipeline name.
    pub subject: String,
    /// Free text details.
    pub details: String,
    /// Unix milliseconds.
    pub at: i64,
}

/// Who did something, for the record.
#[derive(Debug, Clone)]
pub struct Actor {
    /// Account id (None for the system, e.g. recovery at start-up).
    pub id: Option<UserId>,
    /// Name shown.
    pub name: String,
}

/// Record an event.
pub fn record(
    conn: &mut Conn,
    team: &TeamId,
    pipeline: Option<&PipelineId>,
    actor: &Actor,
    action: &str,
    subject: &str,
    details: &str,
) -> QueryResult<()> {
    diesel::insert_into(audit::table)
        .values((
            audit::team_id.eq(team),
            audit::pipeline_id.eq(pipeline),
            audit::actor_id.eq(actor.id.as_ref()),
            audit::actor_name.eq(&actor.name),
            audit::action.eq(action),
            audit::subject.eq(subject),
            audit::details.eq(details),
            audit::at.eq(now_ms()),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The newest events of a pipeline.
pub fn for_pipeline(
    conn: &mut Conn,
    pipeline: &PipelineId,
    limit: i64,
) -> QueryResult<Vec<AuditEvent>> {
    audit::table
        .filter(audit::pipeline_id.eq(pipeline))
        .order((audit::at.desc(), audit::id.desc()))
        .limit(limit)
        .select(AuditEvent::as_select())
        .load(conn)
}
