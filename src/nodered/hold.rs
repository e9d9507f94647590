//! Holding an instance's flow requests while redstage itself interrupts its runtime (a deploy, a
//! restart): one gate per instance. Whoever interrupts it [`Holds::close`]s the gate first and
//! keeps the [`HoldGuard`] until the runtime runs the new flows; the instance-origin proxy asks
//! [`Holds::enter`] before each flow request. An open gate counts the request in flight (so a
//! close can wait for it to finish before the deploy cuts it off); a closed one queues it, bounded
//! in time and length, and lets the queue through in arrival order once the last guard drops.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{Notify, oneshot};
use tokio::time::Instant;

use crate::db::ids::InstanceId;

/// How long and how many flow requests may be held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoldLimits {
    /// Longest a request waits for a closed gate before it is refused (503).
    pub max_wait: Duration,
    /// Most requests waiting per instance; past it, a request is refused at once.
    pub queue: usize,
    /// When released, the next request goes when the previous one's answer began, or after this
    /// long (one slow endpoint must not stall the queue).
    pub stagger: Duration,
    /// Longest a close waits for the requests already in flight to finish.
    pub drain: Duration,
}

impl Default for HoldLimits {
    fn default() -> Self {
        Self {
            max_wait: Duration::from_secs(30),
            queue: 1000,
            stagger: Duration::from_millis(250),
            drain: Duration::from_secs(2),
        }
    }
}

/// Why a held request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The instance's queue is full.
    QueueFull,
    /// The gate stayed closed for longer than the limit.
    TimedOut,
}

/// What the holds have done since the server started (for operators and the benchmark).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HoldStats {
    /// Requests that waited at a closed gate and were let through.
    pub held: u64,
    /// Requests refused (queue full or waited too long).
    pub refused: u64,
    /// The longest any let-through request waited, in milliseconds.
    pub longest_ms: u64,
}

/// Every instance's gate.
#[derive(Debug, Default)]
pub struct Holds {
    limits: HoldLimits,
    gates: Mutex<HashMap<InstanceId, Arc<Gate>>>,
    held: AtomicU64,
    refused: AtomicU64,
    longest_ms: AtomicU64,
}

/// One instance's gate.
#[derive(Debug, Default)]
struct Gate {
    state: Mutex<GateState>,
    /// Told when the last request in flight finished.
    idle: Notify,
}

#[derive(Debug, Default)]
struct GateState {
    /// Guards alive (nested closes keep it closed until the last one drops).
    closed: usize,
    /// Requests let through and not finished.
    in_flight: usize,
    /// Requests waiting, oldest first.
    queue: VecDeque<oneshot::Sender<Pass>>,
    /// Whether a task is letting the queue through.
    releasing: bool,
}

impl Gate {
    fn lock(&self) -> MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Holds {
    /// Gates with these limits (all open).
    pub fn new(limits: HoldLimits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    fn gate(&self, id: &InstanceId) -> Arc<Gate> {
        let mut gates = self.gates.lock().unwrap_or_else(|p| p.into_inner());
        match gates.get(id) {
            Some(gate) => gate.clone(),
            None => gates.entry(id.clone()).or_default().clone(),
        }
    }

    /// Close the gate of `id`: flow requests from now on wait. Resolves once the requests already
    /// in flight finished (or after [`HoldLimits::drain`]); the gate opens when the guard drops.
    pub async fn close(&self, id: &InstanceId) -> HoldGuard {
        let gate = self.gate(id);
        gate.lock().closed += 1;
        let guard = HoldGuard {
            gate: gate.clone(),
            stagger: self.limits.stagger,
        };
        let drained = async {
            loop {
                let notified = gate.idle.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                if gate.lock().in_flight == 0 {
                    return;
                }
                notified.await;
            }
        };
        let _ = tokio::time::timeout(self.limits.drain, drained).await;
        guard
    }

    /// Let a flow request of `id` through: at once while the gate is open, else when it opens
    /// (in arrival order), or refused past the limits. Keep the pass until the answer is sent.
    pub async fn enter(&self, id: &InstanceId) -> Result<Pass, Refusal> {
        let gate = self.gate(id);
        let waiting = {
            let mut state = gate.lock();
            if state.closed == 0 && state.queue.is_empty() {
                state.in_flight += 1;
                drop(state);
                return Ok(Pass::new(gate, None));
            }
            if state.queue.len() >= self.limits.queue {
                state.queue.retain(|waiter| !waiter.is_closed());
            }
            if state.queue.len() >= self.limits.queue {
                self.refused.fetch_add(1, Ordering::Relaxed);
                return Err(Refusal::QueueFull);
            }
            let (tx, rx) = oneshot::channel();
            state.queue.push_back(tx);
            rx
        };
        let since = Instant::now();
        match tokio::time::timeout(self.limits.max_wait, waiting).await {
            Ok(Ok(pass)) => {
                let waited = u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX);
                self.held.fetch_add(1, Ordering::Relaxed);
                self.longest_ms.fetch_max(waited, Ordering::Relaxed);
                Ok(pass)
            }
            Ok(Err(_)) | Err(_) => {
                self.refused.fetch_add(1, Ordering::Relaxed);
                Err(Refusal::TimedOut)
            }
        }
    }

    /// How many requests of `id` wait now.
    pub fn queued(&self, id: &InstanceId) -> usize {
        let gate = self.gate(id);
        let state = gate.lock();
        state.queue.iter().filter(|w| !w.is_closed()).count()
    }

    /// The limits.
    pub fn limits(&self) -> HoldLimits {
        self.limits
    }

    /// The counters so far.
    pub fn stats(&self) -> HoldStats {
        HoldStats {
            held: self.held.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            longest_ms: self.longest_ms.load(Ordering::Relaxed),
        }
    }
}

/// A closed gate; dropping it (success, failure, panic, early return) opens it again unless
/// another guard keeps it closed.
#[derive(Debug)]
#[must_use = "the gate opens again when the guard drops"]
pub struct HoldGuard {
    gate: Arc<Gate>,
    stagger: Duration,
}

impl Drop for HoldGuard {
    fn drop(&mut self) {
        let mut state = self.gate.lock();
        state.closed = state.closed.saturating_sub(1);
        if state.closed > 0 || state.queue.is_empty() || state.releasing {
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                state.releasing = true;
                drop(state);
                runtime.spawn(release(self.gate.clone(), self.stagger));
            }
            // No runtime, so nobody can be waiting either: refuse whatever is left.
            Err(_) => state.queue.clear(),
        }
    }
}

/// Let the queue through in order: each request when the one before it got its answer's head
/// (or `stagger` later), until the queue is empty or the gate closes again.
async fn release(gate: Arc<Gate>, stagger: Duration) {
    loop {
        let waiter = {
            let mut state = gate.lock();
            let next = match state.closed {
                0 => state.queue.pop_front(),
                _ => None,
            };
            match next {
                Some(waiter) => {
                    state.in_flight += 1;
                    waiter
                }
                None => {
                    state.releasing = false;
                    return;
                }
            }
        };
        let (answered, head) = oneshot::channel();
        // A waiter that gave up gets nothing: its pass drops here (and counts itself out).
        if waiter.send(Pass::new(gate.clone(), Some(answered))).is_ok() {
            let _ = tokio::time::timeout(stagger, head).await;
        }
    }
}

/// A flow request let through: counted in flight until dropped.
#[derive(Debug)]
pub struct Pass {
    gate: Arc<Gate>,
    /// For a released request: tells the release that its answer began.
    answered: Option<oneshot::Sender<()>>,
}

impl Pass {
    fn new(gate: Arc<Gate>, answered: Option<oneshot::Sender<()>>) -> Self {
        Self { gate, answered }
    }

    /// The runtime's answer began: the next held request may go.
    pub fn answered(&mut self) {
        if let Some(answered) = self.answered.take() {
            let _ = answered.send(());
        }
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        self.answered();
        let mut state = self.gate.lock();
        state.in_flight = state.in_flight.saturating_sub(1);
        if state.in_flight == 0 {
            drop(state);
            self.gate.idle.notify_waiters();
        }
    }
}

#[cfg(test)]
#[path = "hold_tests.rs"]
mod tests;
