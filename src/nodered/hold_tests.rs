//! The gates, with tokio's paused clock (a wait of seconds takes none).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::*;

fn id(name: &str) -> InstanceId {
    InstanceId::from(name.to_owned())
}

fn holds(max_wait: u64, queue: usize) -> Arc<Holds> {
    Arc::new(Holds::new(HoldLimits {
        max_wait: Duration::from_secs(max_wait),
        queue,
        ..HoldLimits::default()
    }))
}

/// Enter `n` requests one after the other (each queued before the next), recording the order in
/// which they are let through; their tasks.
async fn queue_up(
    holds: &Arc<Holds>,
    at: &InstanceId,
    n: usize,
    order: &Arc<Mutex<Vec<usize>>>,
) -> Vec<tokio::task::JoinHandle<Result<(), Refusal>>> {
    let mut tasks = Vec::new();
    for i in 0..n {
        let (gates, gate, order) = (holds.clone(), at.clone(), order.clone());
        tasks.push(tokio::spawn(async move {
            let pass = gates.enter(&gate).await?;
            order.lock().unwrap_or_else(|p| p.into_inner()).push(i);
            // A slow answer: the next one goes after the stagger, still in order.
            tokio::time::sleep(Duration::from_secs(1)).await;
            drop(pass);
            Ok(())
        }));
        while holds.queued(at) < i + 1 {
            tokio::task::yield_now().await;
        }
    }
    tasks
}

#[tokio::test(start_paused = true)]
async fn an_open_gate_lets_requests_through_at_once() {
    let holds = holds(30, 10);
    let pass = holds.enter(&id("a")).await;
    assert!(pass.is_ok());
    assert_eq!(holds.stats(), HoldStats::default());
}

#[tokio::test(start_paused = true)]
async fn held_requests_are_let_through_in_arrival_order_when_the_guard_drops() {
    let (holds, at) = (holds(30, 10), id("a"));
    let order = Arc::new(Mutex::new(Vec::new()));
    let guard = holds.close(&at).await;
    let tasks = queue_up(&holds, &at, 5, &order).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(order.lock().unwrap_or_else(|p| p.into_inner()).is_empty());
    drop(guard);
    for task in tasks {
        assert_eq!(task.await.ok(), Some(Ok(())));
    }
    assert_eq!(
        *order.lock().unwrap_or_else(|p| p.into_inner()),
        [0, 1, 2, 3, 4]
    );
    let stats = holds.stats();
    assert_eq!((stats.held, stats.refused), (5, 0));
    assert!(stats.longest_ms >= 5000, "{stats:?}");
}

#[tokio::test(start_paused = true)]
async fn another_instance_is_not_held() {
    let holds = holds(30, 10);
    let _guard = holds.close(&id("a")).await;
    let other = tokio::time::timeout(Duration::from_millis(1), holds.enter(&id("b"))).await;
    assert!(matches!(other, Ok(Ok(_))));
}

#[tokio::test(start_paused = true)]
async fn nested_closes_keep_the_gate_closed_until_the_last_guard_drops() {
    let (holds, at) = (holds(30, 10), id("a"));
    let order = Arc::new(Mutex::new(Vec::new()));
    let outer = holds.close(&at).await;
    let inner = holds.close(&at).await;
    let tasks = queue_up(&holds, &at, 2, &order).await;
    drop(inner);
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(order.lock().unwrap_or_else(|p| p.into_inner()).is_empty());
    drop(outer);
    for task in tasks {
        assert_eq!(task.await.ok(), Some(Ok(())));
    }
    assert_eq!(*order.lock().unwrap_or_else(|p| p.into_inner()), [0, 1]);
}

#[tokio::test(start_paused = true)]
async fn a_full_queue_refuses_at_once_and_a_long_hold_refuses_after_the_limit() {
    let (holds, at) = (holds(3, 1), id("a"));
    let _guard = holds.close(&at).await;
    let first = {
        let (holds, at) = (holds.clone(), at.clone());
        tokio::spawn(async move { holds.enter(&at).await.map(|_| ()) })
    };
    while holds.queued(&at) < 1 {
        tokio::task::yield_now().await;
    }
    let second = tokio::time::timeout(Duration::from_millis(1), holds.enter(&at)).await;
    assert!(matches!(second, Ok(Err(Refusal::QueueFull))));
    assert_eq!(first.await.ok(), Some(Err(Refusal::TimedOut)));
    assert_eq!(holds.stats().refused, 2);
    // The one that gave up no longer takes the place.
    let third = {
        let (holds, at) = (holds.clone(), at.clone());
        tokio::spawn(async move { holds.enter(&at).await.map(|_| ()) })
    };
    while holds.queued(&at) < 1 {
        tokio::task::yield_now().await;
    }
    drop(_guard);
    assert_eq!(third.await.ok(), Some(Ok(())));
}

#[tokio::test(start_paused = true)]
async fn a_close_waits_for_requests_in_flight_but_not_forever() {
    let (holds, at) = (holds(30, 10), id("a"));
    let pass = holds.enter(&at).await.ok();
    let closing = {
        let (holds, at) = (holds.clone(), at.clone());
        tokio::spawn(async move { holds.close(&at).await })
    };
    for _ in 0..100 {
        tokio::task::yield_now().await;
    }
    assert!(
        !closing.is_finished(),
        "the close waits for the request in flight"
    );
    drop(pass);
    let guard = closing.await.ok();
    assert!(guard.is_some());
    // A request that never finishes (say, an event stream) delays a close only so long.
    let (stuck, other) = (holds.enter(&id("b")).await.ok(), id("b"));
    let closed = tokio::time::timeout(holds.limits().drain * 2, holds.close(&other)).await;
    assert!(
        closed.is_ok(),
        "the close gave up waiting after the drain limit"
    );
    drop((guard, closed, stuck));
}

#[tokio::test(start_paused = true)]
async fn a_gate_closed_again_while_releasing_holds_the_rest() {
    let (holds, at) = (holds(30, 10), id("a"));
    let order = Arc::new(Mutex::new(Vec::new()));
    let guard = holds.close(&at).await;
    let tasks = queue_up(&holds, &at, 3, &order).await;
    drop(guard);
    // The first goes at once; the next one waits for its answer or the stagger.
    while order.lock().unwrap_or_else(|p| p.into_inner()).is_empty() {
        tokio::task::yield_now().await;
    }
    let again = holds.close(&at).await;
    assert_eq!(*order.lock().unwrap_or_else(|p| p.into_inner()), [0]);
    assert_eq!(holds.queued(&at), 2);
    drop(again);
    for task in tasks {
        assert_eq!(task.await.ok(), Some(Ok(())));
    }
    assert_eq!(*order.lock().unwrap_or_else(|p| p.into_inner()), [0, 1, 2]);
}
