//! The change hub: promotions, pipeline edits and the runtimes' supervisors say "this pipeline /
//! instance changed", and every open pipelines page's event stream hears it. Each change carries
//! a sequence number, so a stream that reconnects can tell whether it missed one.
//!
//! Nothing is stored: a change is a hint to re-read the database and the runtimes, which stay the
//! truth. A receiver that falls behind is told it lagged and re-reads everything it shows.

use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

use crate::db::ids::{InstanceId, PipelineId};

/// How many changes a slow receiver may fall behind before it is told it lagged.
const BACKLOG: usize = 256;

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    /// A pipeline: its stages, its name, or a deployment in it (a step or the finish).
    Pipeline(PipelineId),
    /// An instance: its runtime's state (starting, running, crashed, stopped...).
    Instance(InstanceId),
}

/// One change, numbered in the order it was published.
#[derive(Debug, Clone)]
pub struct Change {
    /// Sequence number, from 1, increasing by one per change.
    pub seq: u64,
    /// What changed.
    pub subject: Subject,
}

/// The hub's handle; clones share it.
#[derive(Clone)]
pub struct Events {
    inner: Arc<Inner>,
}

struct Inner {
    sender: broadcast::Sender<Change>,
    /// The last sequence number handed out; the lock also keeps sends in sequence order.
    last: Mutex<u64>,
}

impl Default for Events {
    fn default() -> Self {
        let (sender, _) = broadcast::channel(BACKLOG);
        Self {
            inner: Arc::new(Inner {
                sender,
                last: Mutex::new(0),
            }),
        }
    }
}

impl Events {
    /// Tell every listener that `subject` changed; its sequence number.
    pub fn publish(&self, subject: Subject) -> u64 {
        let mut last = self.inner.last.lock().unwrap_or_else(|p| p.into_inner());
        *last += 1;
        let seq = *last;
        // No receiver is not an error: no page is open.
        let _ = self.inner.sender.send(Change { seq, subject });
        seq
    }

    /// A pipeline changed.
    pub fn pipeline(&self, id: &PipelineId) -> u64 {
        self.publish(Subject::Pipeline(id.clone()))
    }

    /// The sequence number of the last change so far (0 before any).
    pub fn latest(&self) -> u64 {
        *self.inner.last.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Listen from now on: the receiver, and the last sequence number before it (every change
    /// after that one reaches the receiver, none before it does).
    pub fn subscribe(&self) -> (broadcast::Receiver<Change>, u64) {
        let last = self.inner.last.lock().unwrap_or_else(|p| p.into_inner());
        (self.inner.sender.subscribe(), *last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_subscriber_gets_every_change_after_it_subscribed_in_order() {
        let events = Events::default();
        let early = events.pipeline(&PipelineId::from("p1".to_owned()));
        let (mut rx, since) = events.subscribe();
        assert_eq!(since, early);
        let id = InstanceId::from("i1".to_owned());
        let later = events.publish(Subject::Instance(id.clone()));
        assert_eq!(later, early + 1);
        let change = rx.recv().await.ok();
        assert_eq!(
            change.map(|c| (c.seq, c.subject)),
            Some((later, Subject::Instance(id)))
        );
        assert_eq!(events.latest(), later);
    }
}
