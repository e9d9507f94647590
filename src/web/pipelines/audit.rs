//! The audit trail of pipeline edits: each change runs in one transaction with its audit record,
//! and every open page showing the pipeline hears of it.

use crate::db::Conn;
use crate::db::models::audit::{self, Actor};
use crate::db::models::pipelines::PipelineScope;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::CurrentUser;

/// Who acts, for the audit trail.
pub fn actor(user: &CurrentUser) -> Actor {
    Actor {
        id: Some(user.user.id.clone()),
        name: user.user.username.clone(),
    }
}

/// The audit record of a change to a pipeline.
pub struct Audit {
    /// What, e.g. `stage.added`.
    pub action: &'static str,
    /// On what, e.g. the stage name.
    pub subject: String,
    /// Free text.
    pub details: String,
}

impl Audit {
    /// The record of `action` on `subject`.
    pub fn new(
        action: &'static str,
        subject: impl Into<String>,
        details: impl Into<String>,
    ) -> Self {
        Audit {
            action,
            subject: subject.into(),
            details: details.into(),
        }
    }
}

/// Run a change to a pipeline together with its audit event, in one immediate transaction.
pub async fn audited<T: Send + 'static>(
    state: &AppState,
    user: &CurrentUser,
    scope: &PipelineScope,
    work: impl FnOnce(&mut Conn) -> Result<(T, Audit), AppError> + Send + 'static,
) -> Result<T, AppError> {
    let (team, pipeline, who) = (
        scope.membership.team.id.clone(),
        scope.pipeline.id.clone(),
        actor(user),
    );
    let changed = state
        .db
        .run(move |conn| {
            conn.immediate_transaction(|conn| {
                let (value, event) = work(conn)?;
                audit::record(
                    conn,
                    &team,
                    Some(&pipeline),
                    &who,
                    event.action,
                    &event.subject,
                    &event.details,
                )?;
                Ok(value)
            })
        })
        .await?;
    // Every open page showing it hears of the edit (its stream brings the new block).
    state.events.pipeline(&scope.pipeline.id);
    Ok(changed)
}
