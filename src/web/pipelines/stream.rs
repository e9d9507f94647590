//! The pipelines page's live stream (server-sent events, one per open page): when a change on the
//! hub (`crate::events`) concerns a pipeline the page shows (a deployment step or finish in it,
//! an edit of it, a state change of one of its instances), the changed pipelines' live parts (or
//! whole blocks, see `live`) go out as one `live` event. Each event's `id:` is the last change the
//! page has heard of; a page that reconnects with an older one (or none) gets every pipeline it
//! shows again, so no update is lost. Idle, the stream sends a comment now and then (proxies
//! drop silent connections) and the page makes no requests at all.

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;
use tokio::sync::broadcast::{self, error::RecvError, error::TryRecvError};

use crate::db::ids::{ApplicationId, InstanceId, PipelineId, UserId};
use crate::db::models::applications::{self, ApplicationScope};
use crate::db::models::pipelines;
use crate::domain::roles::Action;
use crate::error::AppError;
use crate::events::{Change, Subject};
use crate::state::AppState;
use crate::web::access::Access;
use crate::web::pipelines::live::{self, Viewer};
use crate::web::pipelines::page::PAGE_SIZE;
use crate::web::pipelines::view::{self, PipelineView, Shown};
use crate::web::views::see_other;

/// How long the stream may stay silent before it says it is alive.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How long one connection lives: the browser reconnects (with `Last-Event-ID`), which checks
/// the member's access again.
const LIFETIME: Duration = Duration::from_secs(600);

/// What the page says it shows.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StreamQuery {
    /// The last change before the page was rendered.
    since: String,
    /// `id.shape` per pipeline shown, comma-separated (see `PipelineView::shape`).
    shapes: String,
}

/// The `shapes` query of a page showing `pipelines`.
pub fn shapes(pipelines: &[PipelineView]) -> String {
    let shown: Vec<String> = pipelines
        .iter()
        .map(|p| format!("{}.{}", p.id, p.shape))
        .collect();
    shown.join(",")
}

/// `GET /application/{id}/pipelines/events?since=N&shapes=…`: the stream. Anything but an
/// EventSource (a link typed into the address bar) is sent to the page.
pub async fn events(
    Access { user, scope, .. }: Access<ApplicationScope>,
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<StreamQuery>,
) -> Result<HttpResponse, AppError> {
    let accepts =
        |h: &header::HeaderValue| h.to_str().is_ok_and(|v| v.contains("text/event-stream"));
    if !req.headers().get(header::ACCEPT).is_some_and(accepts) {
        return Ok(see_other(&scope.application.pipelines_url()));
    }
    let resumed = req
        .headers()
        .get("Last-Event-ID")
        .and_then(|v| v.to_str().ok());
    let since = resumed.unwrap_or(&query.since).trim().parse::<u64>().ok();
    let viewer = Viewer {
        can_edit: scope.membership.role.allows(Action::ManagePipelines),
        csrf: user.session.csrf_token()?,
    };
    let shown = shown(&query.shapes);
    let (app, user) = (scope.application.id, user.user.id);
    Ok(respond(
        Feed::open(state, app, user, viewer, shown, since).await?,
    ))
}

/// The pipelines a page says it shows (at most a page of them), with the shape of each.
fn shown(shapes: &str) -> impl Iterator<Item = (PipelineId, String)> + '_ {
    shapes
        .split(',')
        .filter_map(|part| part.split_once('.'))
        .take(usize::try_from(PAGE_SIZE).unwrap_or(20))
        .map(|(id, shape)| (PipelineId::from(id.to_owned()), shape.to_owned()))
}

/// The stream of `feed`'s events, as the response.
fn respond(feed: Feed) -> HttpResponse {
    let stream = futures_util::stream::unfold(feed, |mut feed| async move {
        let bytes = feed.next().await?;
        Some((Ok::<_, Infallible>(bytes), feed))
    });
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        // Not compressed: the compressor would hold events back until its buffer fills.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .streaming(stream)
}

/// Which pipelines are due to be sent.
enum Due {
    All,
    Some(HashSet<PipelineId>),
}

/// One page's stream: what it shows and what it has heard.
struct Feed {
    state: web::Data<AppState>,
    app: ApplicationId,
    user: UserId,
    viewer: Viewer,
    changes: broadcast::Receiver<Change>,
    /// The pipelines shown, in the page's order, with the shape the page has of each.
    order: Vec<PipelineId>,
    shapes: HashMap<PipelineId, String>,
    /// Which shown pipelines each instance is a stage of.
    instances: HashMap<InstanceId, Vec<PipelineId>>,
    /// The last change heard (the events' `id:`).
    heard: u64,
    due: Option<Due>,
    opened: Instant,
}

impl Feed {
    /// Subscribe, then load what the page shows (so that no change falls between the two); what
    /// it may have missed since `since` is due at once.
    async fn open(
        state: web::Data<AppState>,
        app: ApplicationId,
        user: UserId,
        viewer: Viewer,
        shown: impl Iterator<Item = (PipelineId, String)>,
        since: Option<u64>,
    ) -> Result<Self, AppError> {
        let (changes, heard) = state.events.subscribe();
        let (order, shapes): (Vec<_>, HashMap<_, _>) =
            shown.map(|(id, shape)| (id.clone(), (id, shape))).unzip();
        let mut feed = Feed {
            state,
            app,
            user,
            viewer,
            changes,
            order,
            shapes,
            instances: HashMap::new(),
            heard,
            due: (since != Some(heard)).then_some(Due::All),
            opened: Instant::now(),
        };
        if feed.due.is_none() {
            // Nothing missed: only learn which instances the cards show.
            feed.load(Due::All).await?;
        }
        Ok(feed)
    }

    /// The next bytes to send; `None` ends the stream.
    async fn next(&mut self) -> Option<Bytes> {
        loop {
            if let Some(due) = self.due.take() {
                match self.send(due).await {
                    Ok(Some(event)) => return Some(event),
                    Ok(None) => continue,
                    Err(error) => {
                        tracing::warn!(error = ?error, "pipelines stream ends");
                        return None;
                    }
                }
            }
            let left = LIFETIME.checked_sub(self.opened.elapsed())?;
            tokio::select! {
                change = self.changes.recv() => match change {
                    Ok(change) => self.hear(change),
                    Err(RecvError::Lagged(_)) => self.lagged(),
                    Err(RecvError::Closed) => return None,
                },
                _ = tokio::time::sleep(KEEP_ALIVE.min(left)) => {
                    return Some(Bytes::from(format!(": alive\nid: {}\n\n", self.heard)));
                }
            }
            // A burst of changes (several steps, several instances) goes out as one event.
            loop {
                match self.changes.try_recv() {
                    Ok(change) => self.hear(change),
                    Err(TryRecvError::Lagged(_)) => self.lagged(),
                    Err(TryRecvError::Empty | TryRecvError::Closed) => break,
                }
            }
        }
    }

    /// Note a change; due if it concerns a pipeline shown.
    fn hear(&mut self, change: Change) {
        self.heard = change.seq;
        let concerned = match &change.subject {
            Subject::Pipeline(id) if self.shapes.contains_key(id) => vec![id.clone()],
            Subject::Instance(id) => self.instances.get(id).cloned().unwrap_or_default(),
            Subject::Pipeline(_) => Vec::new(),
        };
        match &mut self.due {
            Some(Due::All) => {}
            Some(Due::Some(set)) => set.extend(concerned),
            None if concerned.is_empty() => {}
            None => self.due = Some(Due::Some(concerned.into_iter().collect())),
        }
    }

    /// Changes were missed: everything shown is due.
    fn lagged(&mut self) {
        self.heard = self.state.events.latest();
        self.due = Some(Due::All);
    }

    /// The `live` event of the pipelines due (`None` when none is left to send).
    async fn send(&mut self, due: Due) -> Result<Option<Bytes>, AppError> {
        let mut html = String::new();
        for pipeline in self.load(due).await? {
            let shape = self.shapes.get(&pipeline.id).cloned().unwrap_or_default();
            self.shapes
                .insert(pipeline.id.clone(), pipeline.shape.clone());
            html.push_str(&live::render(pipeline, &shape, &self.viewer)?);
        }
        if html.trim().is_empty() {
            return Ok(None);
        }
        let mut event = format!("id: {}\nevent: live\n", self.heard);
        for line in html.lines() {
            event.push_str("data: ");
            event.push_str(line);
            event.push('\n');
        }
        event.push('\n');
        Ok(Some(Bytes::from(event)))
    }

    /// The views of the pipelines due, as the member sees them now; the member's access is
    /// checked again (ending the stream once they left the team).
    async fn load(&mut self, due: Due) -> Result<Vec<PipelineView>, AppError> {
        let ids: Vec<PipelineId> = match due {
            Due::All => self.order.clone(),
            Due::Some(set) => self
                .order
                .iter()
                .filter(|id| set.contains(*id))
                .cloned()
                .collect(),
        };
        let (runtimes, origins) = (self.state.runtimes.clone(), self.state.origins.clone());
        let (app, user, asked) = (self.app.clone(), self.user.clone(), ids.clone());
        let (role, views) = self
            .state
            .db
            .run(move |conn| {
                let scope = applications::scope(conn, &app, &user)?;
                let mut views = Vec::new();
                for pipeline in pipelines::of_application(conn, &app, &asked)? {
                    let shown = Shown::One(&pipeline);
                    let driver = (&*runtimes, &origins);
                    views.extend(view::load(conn, driver, &scope.membership, &app, shown)?);
                }
                Ok((scope.membership.role, views))
            })
            .await?;
        self.viewer.can_edit = role.allows(Action::ManagePipelines);
        // Pipelines deleted since are no longer followed.
        let found: HashSet<&PipelineId> = views.iter().map(|v| &v.id).collect();
        let gone: Vec<PipelineId> = ids.into_iter().filter(|id| !found.contains(id)).collect();
        self.order.retain(|id| !gone.contains(id));
        for view in &views {
            for list in self.instances.values_mut() {
                list.retain(|id| id != &view.id);
            }
            for card in &view.stages {
                let list = self.instances.entry(card.instance_id.clone()).or_default();
                list.push(view.id.clone());
            }
        }
        for id in &gone {
            self.shapes.remove(id);
        }
        Ok(views)
    }
}
