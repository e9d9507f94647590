//! Promotion end to end (press play -> the target serves the new flows) next to a raw Node-RED
//! full deploy of the same flows onto the same target, and the target's downtime during each.
//! The promotion's steps are followed in its `deployments` row (read from the SQLite file, WAL).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use redstage::db::Db;
use redstage::db::ids::{DeploymentId, InstanceId};
use redstage::db::models::deployments;
use tokio::task::JoinHandle;

use crate::downtime::{Downtime, Origin, prober};
use crate::facts::settle;
use crate::flows::{Runtime, Size, Version, version};
use crate::procs::memory_kib;
use crate::web::Browser;

/// Steps of a promotion as first seen (since the press), e.g. ("deploying", 41 ms).
pub type Steps = Vec<(String, Duration)>;

/// The server's peak RSS (VmHWM, KiB) during each step, from its first sight to the next step's.
pub type Peaks = Vec<(String, u64)>;

/// One promotion.
pub struct Promotion {
    /// Press -> the POST answered.
    pub post: Duration,
    /// Press -> the target serves the new flows.
    pub serving: Duration,
    pub steps: Steps,
    pub peaks: Peaks,
}

/// One raw full deploy.
pub struct Raw {
    /// POST /flows -> answered.
    pub post: Duration,
    /// POST /flows -> the target serves the new flows.
    pub serving: Duration,
}

/// A pipeline Development -> Production of two running instances.
pub struct Line {
    pub member: Browser,
    /// The Development stage (play is pressed on it).
    pub stage: String,
    pub source: Runtime,
    /// Production's runtime (its port changes when it restarts: see [`Line::target`]).
    pub target: std::sync::Mutex<Runtime>,
    pub target_id: InstanceId,
    /// Production's own origin, through redstage.
    pub origin: Origin,
    pub db: Db,
    /// The server's process id (its memory is read per step).
    pub server: i32,
    pub scratch: PathBuf,
    pub tags: AtomicU32,
    /// Timed runs that started although the machine did not quiet down within 5 s.
    pub noisy: AtomicU32,
}

/// A pressed play: when, how long the POST took, and the watcher of its row.
struct Pressed {
    at: Instant,
    post: Duration,
    watcher: JoinHandle<Result<(Steps, Peaks)>>,
}

/// What a downtime run does to the target.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// A push without an env change.
    Push,
    /// A push onto a target with a pending env value: it restarts.
    PushRestart,
    /// A raw full deploy onto the target's own port (redstage does not know).
    Raw,
}

impl Line {
    /// Production's runtime as it runs now.
    pub fn target(&self) -> Runtime {
        self.target
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// After a restart: where Production's runtime listens now.
    async fn follow_target(&self) -> Result<()> {
        let port = self.member.wait_running(self.target_id.as_ref()).await?;
        let moved = self.target().moved_to(port);
        *self.target.lock().unwrap_or_else(|p| p.into_inner()) = moved;
        Ok(())
    }

    /// Give Production an env value its process does not have yet (the next push restarts it).
    async fn pending_env(&self) -> Result<()> {
        let key = format!("BENCH_RUN_{}", self.tags.load(Ordering::Relaxed));
        let path = format!("/instance/{}/settings/environment", self.target_id);
        self.member
            .post_see_other(&path, &[("key", key.as_str()), ("value", "1")])
            .await?;
        Ok(())
    }

    fn next(&self, size: Size) -> Result<Version> {
        let tag = format!("v{}", self.tags.fetch_add(1, Ordering::Relaxed));
        version(size, &tag, &self.scratch)
    }

    /// Put the version on the source with a raw deploy and wait till it serves it (untimed).
    async fn prepare_source(&self, v: &Version) -> Result<()> {
        self.source.deploy(v.body.clone()).await?;
        self.source.wait_serving(&v.probe).await
    }

    /// Before a timed run: let the runtimes finish what the last deploy left (starting, GC).
    async fn settle(&self) -> Result<()> {
        if !settle().await? {
            self.noisy.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Press play on the source stage as the member (the token is read before the clock starts).
    async fn press(&self) -> Result<Pressed> {
        let token = self.member.csrf().await?;
        let target = self.target_id.clone();
        let before = self
            .db
            .run(move |conn| Ok(deployments::latest_onto_instance(conn, &target)?))
            .await?
            .map(|d| d.id);
        let at = Instant::now();
        let row = Row {
            db: self.db.clone(),
            target: self.target_id.clone(),
            before,
            server: self.server,
        };
        let watcher = tokio::spawn(watch(row, at));
        let page = self
            .member
            .press(&format!("/stage/{}/promote", self.stage), &token)
            .await?;
        let post = at.elapsed();
        // htmx's press: 204, the card's news comes on the page's stream.
        if page.status != reqwest::StatusCode::NO_CONTENT {
            watcher.abort();
            bail!("pressing play answered {}", page.status);
        }
        Ok(Pressed { at, post, watcher })
    }

    pub async fn promote(&self, size: Size) -> Result<Promotion> {
        let v = self.next(size)?;
        self.prepare_source(&v).await?;
        self.settle().await?;
        let pressed = self.press().await?;
        self.target().wait_serving(&v.probe).await?;
        let serving = pressed.at.elapsed();
        let (steps, peaks) = pressed.watcher.await??;
        Ok(Promotion {
            post: pressed.post,
            serving,
            steps,
            peaks,
        })
    }

    pub async fn raw(&self, size: Size) -> Result<Raw> {
        let v = self.next(size)?;
        self.settle().await?;
        let target = self.target();
        let at = Instant::now();
        target.deploy(v.body).await?;
        let post = at.elapsed();
        target.wait_serving(&v.probe).await?;
        Ok(Raw {
            post,
            serving: at.elapsed(),
        })
    }

    /// Probe the target's GET /hello on its origin every 10 ms from 100 ms before a push or a
    /// raw full deploy of a new hello.json version until 300 ms after the new version answers.
    pub async fn downtime(&self, trigger: Trigger) -> Result<Downtime> {
        let v = self.next(Size::Hello)?;
        let new = v.probe.version().unwrap_or_default().to_owned();
        if trigger != Trigger::Raw {
            self.prepare_source(&v).await?;
        }
        if trigger == Trigger::PushRestart {
            self.pending_env().await?;
        }
        let old = self.origin.version().await?;
        self.settle().await?;
        let target = self.target();
        let trigger_it = async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if trigger != Trigger::Raw {
                let pressed = self.press().await?;
                return Ok(Some(pressed));
            }
            target.deploy(v.body.clone()).await?;
            Ok::<_, anyhow::Error>(None)
        };
        let (seen, pressed) = tokio::join!(prober(&self.origin, &old, &new), trigger_it);
        if let Some(pressed) = pressed? {
            pressed.watcher.await??;
            let target = self.target_id.clone();
            let row = self
                .db
                .run(move |conn| Ok(deployments::latest_onto_instance(conn, &target)?))
                .await?;
            if row.is_none_or(|row| row.restarted != (trigger == Trigger::PushRestart)) {
                bail!(
                    "the push did not restart Production as it should (or did when it should not)"
                );
            }
        }
        if trigger == Trigger::PushRestart {
            self.follow_target().await?;
        }
        seen
    }
}

/// Which deployment row to follow, and whose memory to read meanwhile.
struct Row {
    db: Db,
    target: InstanceId,
    /// The newest deployment onto the target before the press (not this one).
    before: Option<DeploymentId>,
    server: i32,
}

/// Follow the promotion's row (the newest onto the target other than `before`, then by its id)
/// every 10 ms until it is over (more often would load the machine the runtimes share); the
/// steps as first seen, and the server's peak RSS during each (its VmHWM, reset through
/// `/proc/PID/clear_refs` at every step change; without that right the peaks are cumulative).
/// Fails unless it succeeded.
async fn watch(row: Row, at: Instant) -> Result<(Steps, Peaks)> {
    let mut steps: Steps = Vec::new();
    let mut peaks: Peaks = Vec::new();
    let mut known: Option<DeploymentId> = None;
    reset_peak(row.server);
    loop {
        let (id, target) = (known.clone(), row.target.clone());
        let found = row
            .db
            .run(move |conn| match id {
                Some(id) => Ok(Some(deployments::find(conn, &id)?)),
                None => Ok(deployments::latest_onto_instance(conn, &target)?),
            })
            .await?
            .filter(|found| Some(&found.id) != row.before.as_ref());
        if let Some(found) = found {
            known = Some(found.id.clone());
            if steps.last().map(|(step, _)| step.as_str()) != Some(found.step.as_str()) {
                if let (Some((step, _)), Ok((_, peak))) = (steps.last(), memory_kib(row.server)) {
                    peaks.push((step.clone(), peak));
                }
                reset_peak(row.server);
                steps.push((found.step.to_string(), at.elapsed()));
            }
            if !found.is_active() {
                if found.status != deployments::status::SUCCEEDED {
                    bail!("the promotion {}: {:?}", found.status, found.error);
                }
                return Ok((steps, peaks));
            }
        }
        if at.elapsed() > Duration::from_secs(300) {
            bail!("the promotion did not finish within 300 s: {steps:?}");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Set the process's VmHWM back to its VmRSS (Linux: "5" to clear_refs); best effort.
fn reset_peak(pid: i32) {
    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
}
