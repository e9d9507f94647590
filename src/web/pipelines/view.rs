//! View model of the DevOps Pipelines page: every pipeline as a row of stage cards, loaded with a
//! constant number of queries however many pipelines there are.

use std::collections::HashMap;
use std::sync::Arc;

use crate::db::Conn;
use crate::db::ids::{ApplicationId, InstanceId, PipelineId};
use crate::db::models::deployments::{self, Deployment};
use crate::db::models::instances::{self, InstanceCard};
use crate::db::models::pipelines::Pipeline;
use crate::db::models::stages::{self, Stage};
use crate::db::models::{env_vars, teams::Membership};
use crate::domain::origins::Origins;
use crate::error::AppError;
use crate::nodered::RuntimeDriver;
use crate::web::pipelines::card::{Cards, StageCard};

/// One pipeline with its cards.
pub struct PipelineView {
    /// Pipeline id.
    pub id: PipelineId,
    /// Name.
    pub name: String,
    /// Cards in order.
    pub stages: Vec<StageCard>,
    /// Whether a promotion in it is under way (the page polls faster).
    pub active: bool,
    /// A digest of everything shown outside the cards' live parts (names, stage order, roles,
    /// protection): the page's poll sends it back, and only a change of it re-renders the block.
    pub shape: String,
}

/// Which pipelines of an application to show.
pub enum Shown<'a> {
    /// One page of the application's pipelines.
    Page {
        /// Its pipelines, as `pipelines::page_for_application` returned them.
        pipelines: Vec<Pipeline>,
        /// Offset of that page.
        offset: i64,
        /// Size of that page.
        limit: i64,
    },
    /// A single pipeline (the block htmx polls).
    One(&'a Pipeline),
}

/// Build the views of some pipelines of `app` in five queries whose text never changes (so they
/// stay prepared), however many pipelines there are.
pub fn load(
    conn: &mut Conn,
    (runtimes, origins): (&dyn RuntimeDriver, &Origins),
    membership: &Membership,
    app: &ApplicationId,
    shown: Shown<'_>,
) -> Result<Vec<PipelineView>, AppError> {
    let (pipelines, all, missing): (Vec<Pipeline>, Vec<Row>, HashMap<InstanceId, i64>) = match shown
    {
        Shown::Page {
            pipelines,
            offset,
            limit,
        } => {
            let stages = stages::list_for_page(conn, app, offset, limit)?;
            let (mut instances, mut missing) = (HashMap::new(), HashMap::new());
            for (card, needs) in instances::cards_for_application(conn, app)? {
                missing.insert(card.id.clone(), needs);
                instances.insert(card.id.clone(), Arc::new(card));
            }
            let all = stages
                .into_iter()
                .filter_map(|stage| {
                    let instance = instances.get(&stage.instance_id)?.clone();
                    Some((stage, instance))
                })
                .collect();
            (pipelines, all, missing)
        }
        Shown::One(pipeline) => (
            vec![pipeline.clone()],
            stages::list_for_pipeline(conn, &pipeline.id)?
                .into_iter()
                .map(|(stage, instance)| (stage, Arc::new(instance.into())))
                .collect(),
            env_vars::missing_values_in_application(conn, app)?
                .into_iter()
                .collect(),
        ),
    };
    // One look at each instance's flows file and one origin, however many stages show it.
    let (mut changed, mut urls) = (HashMap::new(), HashMap::new());
    for (_, instance) in &all {
        if !changed.contains_key(&instance.id) {
            changed.insert(instance.id.clone(), runtimes.flows_changed_at(&instance.id));
            let url: Arc<str> = origins.instance_origin(&instance.label).into();
            urls.insert(instance.id.clone(), url);
        }
    }
    let cards = Cards {
        runtimes,
        role: membership.role,
        team: &membership.team.name,
        latest: by_target(deployments::latest_in_application(conn, app)?),
        success: by_target(deployments::latest_success_in_application(conn, app)?),
        missing,
        changed,
        urls,
    };
    let mut by_pipeline = by_pipeline(all);
    Ok(pipelines
        .into_iter()
        .map(|pipeline| {
            let rows = by_pipeline.remove(&pipeline.id).unwrap_or_default();
            PipelineView {
                active: rows.iter().any(|(_, instance)| cards.busy(&instance.id)),
                shape: shape(&pipeline, membership, &rows),
                stages: cards.build(&rows),
                id: pipeline.id,
                name: pipeline.name,
            }
        })
        .collect())
}

/// Each deployment by the instance it targeted.
fn by_target(list: Vec<Deployment>) -> HashMap<InstanceId, Deployment> {
    list.into_iter()
        .map(|d| (d.target_instance_id.clone(), d))
        .collect()
}

/// A stage with its instance (one shared card per instance, however many stages show it).
pub type Row = (Stage, Arc<InstanceCard>);

/// Stages (with their instances) grouped by pipeline, in order.
fn by_pipeline(all: Vec<Row>) -> HashMap<PipelineId, Vec<Row>> {
    let mut grouped: HashMap<PipelineId, Vec<Row>> = HashMap::new();
    for (stage, instance) in all {
        grouped
            .entry(stage.pipeline_id.clone())
            .or_default()
            .push((stage, instance));
    }
    grouped
}

/// See [`PipelineView::shape`].
fn shape(pipeline: &Pipeline, membership: &Membership, rows: &[Row]) -> String {
    use sha2::{Digest, Sha256};
    let mut digest = Sha256::new();
    for part in [pipeline.name.as_str(), membership.role.as_str()] {
        digest.update(part.as_bytes());
        digest.update([0]);
    }
    for (stage, instance) in rows {
        for part in [
            stage.id.as_str(),
            stage.name.as_str(),
            instance.id.as_str(),
            instance.name.as_str(),
            if instance.protected { "p" } else { "-" },
        ] {
            digest.update(part.as_bytes());
            digest.update([0]);
        }
    }
    hex::encode(&digest.finalize()[..8])
}
