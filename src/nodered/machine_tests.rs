use std::time::{Duration, Instant};

use super::*;

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// A machine that was started and whose process answers since `at`.
fn running_since(at: Instant) -> Machine {
    let mut machine = Machine::default();
    machine.step(Event::Start, at);
    machine.step(Event::Launched, at);
    machine
}

fn crash_delay(effects: &[Effect]) -> Option<Duration> {
    effects.iter().find_map(|e| match e {
        Effect::ReportCrash { delay, .. } => Some(*delay),
        _ => None,
    })
}

#[test]
fn start_launches_and_a_second_start_while_launching_changes_nothing() {
    let mut machine = Machine::default();
    let now = Instant::now();
    assert_eq!(machine.step(Event::Start, now), vec![Effect::Launch]);
    assert_eq!(machine.state, State::Launching { port_attempt: 0 });
    assert_eq!(machine.step(Event::Start, now), vec![]);
    assert_eq!(machine.state, State::Launching { port_attempt: 0 });
    machine.step(Event::Launched, now);
    assert!(matches!(
        machine.state,
        State::Running { unanswered: 0, .. }
    ));
    assert_eq!(machine.step(Event::Start, now), vec![]);
}

#[test]
fn a_crash_backs_off_then_restarts_with_a_doubling_capped_wait() {
    let now = Instant::now();
    let mut machine = running_since(now);
    let mut waits = Vec::new();
    for _ in 0..7 {
        let effects = machine.step(Event::Exited("exit status: 1".into()), now);
        let delay = crash_delay(&effects).unwrap_or_default();
        assert!(!delay.is_zero(), "a crash is reported: {effects:?}");
        assert_eq!(machine.state, State::BackingOff { delay });
        waits.push(delay.as_secs());
        assert_eq!(
            machine.step(Event::BackoffElapsed, now),
            vec![Effect::Launch]
        );
        assert_eq!(machine.state, State::Launching { port_attempt: 0 });
        machine.step(Event::Launched, now);
    }
    assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30]);
}

#[test]
fn a_crash_while_starting_also_backs_off() {
    let now = Instant::now();
    let mut machine = Machine::default();
    machine.step(Event::Start, now);
    let effects = machine.step(Event::LaunchExited("stopped while starting".into()), now);
    assert_eq!(
        effects,
        vec![Effect::ReportCrash {
            message: "stopped while starting".into(),
            delay: secs(1)
        }]
    );
    machine.step(Event::BackoffElapsed, now);
    let effects = machine.step(Event::LaunchExited("again".into()), now);
    assert_eq!(crash_delay(&effects), Some(secs(2)));
}

#[test]
fn a_stable_run_resets_the_back_off() {
    let start = Instant::now();
    let mut machine = running_since(start);
    for _ in 0..4 {
        machine.step(Event::Exited("crash".into()), start);
        machine.step(Event::BackoffElapsed, start);
        machine.step(Event::Launched, start);
    }
    // A short run keeps the grown back-off ...
    let effects = machine.step(Event::Exited("crash".into()), start + secs(59));
    assert_eq!(crash_delay(&effects), Some(secs(16)));
    machine.step(Event::BackoffElapsed, start);
    machine.step(Event::Launched, start);
    // ... a run longer than STABLE_RUN starts over.
    let effects = machine.step(Event::Exited("crash".into()), start + secs(61));
    assert_eq!(crash_delay(&effects), Some(secs(1)));
}

#[test]
fn a_command_during_the_back_off_ends_it() {
    let now = Instant::now();
    let mut machine = running_since(now);
    machine.step(Event::Exited("crash".into()), now);
    assert_eq!(machine.step(Event::Restart, now), vec![Effect::Launch]);
    machine.step(Event::LaunchExited("crash".into()), now);
    assert_eq!(machine.step(Event::Stop, now), vec![Effect::ReportStopped]);
    assert_eq!(machine.state, State::Idle);
    // Started again by hand: the back-off starts over.
    machine.step(Event::Start, now);
    let effects = machine.step(Event::LaunchExited("crash".into()), now);
    assert_eq!(crash_delay(&effects), Some(secs(1)));
}

#[test]
fn stop_requested_during_start_abandons_the_launch() {
    let now = Instant::now();
    let mut machine = Machine::default();
    machine.step(Event::Start, now);
    assert_eq!(
        machine.step(Event::Stop, now),
        vec![Effect::CancelLaunch, Effect::ReportStopped]
    );
    assert_eq!(machine.state, State::Idle);
    // A late launch result of the abandoned process changes nothing.
    assert_eq!(machine.step(Event::Launched, now), vec![]);
    assert_eq!(machine.state, State::Idle);
}

#[test]
fn restart_during_start_launches_again() {
    let now = Instant::now();
    let mut machine = Machine::default();
    machine.step(Event::Start, now);
    assert_eq!(
        machine.step(Event::Restart, now),
        vec![Effect::CancelLaunch, Effect::Launch]
    );
    assert_eq!(machine.state, State::Launching { port_attempt: 0 });
}

#[test]
fn failed_health_checks_stop_and_restart_the_runtime() {
    let now = Instant::now();
    let mut machine = running_since(now);
    assert_eq!(machine.step(Event::Health { answered: false }, now), vec![]);
    // One answer in between starts the count over.
    machine.step(Event::Health { answered: true }, now);
    machine.step(Event::Health { answered: false }, now);
    assert_eq!(machine.step(Event::Health { answered: false }, now), vec![]);
    assert!(matches!(
        machine.state,
        State::Running { unanswered: 2, .. }
    ));
    let effects = machine.step(Event::Health { answered: false }, now);
    assert_eq!(effects[0], Effect::StopProcess);
    assert_eq!(crash_delay(&effects), Some(secs(1)));
    assert_eq!(machine.state, State::BackingOff { delay: secs(1) });
    assert_eq!(
        machine.step(Event::BackoffElapsed, now),
        vec![Effect::Launch]
    );
}

#[test]
fn restart_requested_while_running_stops_then_launches_with_a_fresh_back_off() {
    let now = Instant::now();
    let mut machine = running_since(now);
    for _ in 0..3 {
        machine.step(Event::Exited("crash".into()), now);
        machine.step(Event::BackoffElapsed, now);
        machine.step(Event::Launched, now);
    }
    assert_eq!(
        machine.step(Event::Restart, now),
        vec![Effect::StopProcess, Effect::Launch]
    );
    assert_eq!(machine.state, State::Launching { port_attempt: 0 });
    assert_eq!(machine.backoff, FIRST_BACKOFF);
}

#[test]
fn stop_and_shutdown_while_running_stop_the_process() {
    let now = Instant::now();
    let mut machine = running_since(now);
    assert_eq!(
        machine.step(Event::Stop, now),
        vec![Effect::StopProcess, Effect::ReportStopped]
    );
    assert_eq!(machine.state, State::Idle);
    let mut machine = running_since(now);
    assert_eq!(
        machine.step(Event::Shutdown, now),
        vec![Effect::StopProcess, Effect::ReportStopped]
    );
    assert_eq!(machine.state, State::Finished);
    assert_eq!(machine.step(Event::Start, now), vec![]);
}

#[test]
fn a_fatal_launch_error_waits_for_someone_to_act() {
    let now = Instant::now();
    let mut machine = Machine::default();
    machine.step(Event::Start, now);
    let effects = machine.step(Event::LaunchFailed("Node.js is missing".into()), now);
    assert_eq!(
        effects,
        vec![
            Effect::Note("Node.js is missing".into()),
            Effect::ReportError("Node.js is missing".into())
        ]
    );
    assert_eq!(machine.state, State::Idle);
    assert_eq!(machine.step(Event::Restart, now), vec![Effect::Launch]);
}

#[test]
fn a_taken_port_relaunches_at_once_a_bounded_number_of_times() {
    let now = Instant::now();
    let mut machine = Machine::default();
    machine.step(Event::Start, now);
    for attempt in 1..PORT_ATTEMPTS {
        let effects = machine.step(Event::PortTaken(4000), now);
        assert!(matches!(
            effects.as_slice(),
            [Effect::Note(_), Effect::Launch]
        ));
        assert_eq!(
            machine.state,
            State::Launching {
                port_attempt: attempt
            }
        );
    }
    // Still taken: give up on relaunching at once, back off like a crash.
    let effects = machine.step(Event::PortTaken(4000), now);
    assert_eq!(crash_delay(&effects), Some(secs(1)));
    machine.step(Event::BackoffElapsed, now);
    assert_eq!(machine.state, State::Launching { port_attempt: 0 });
}

#[test]
fn a_closed_command_channel_ends_the_supervisor() {
    let now = Instant::now();
    let mut machine = Machine::default();
    assert_eq!(machine.step(Event::Closed, now), vec![]);
    assert_eq!(machine.state, State::Finished);
    let mut machine = running_since(now);
    assert_eq!(machine.step(Event::Closed, now), vec![Effect::StopProcess]);
    assert_eq!(machine.state, State::Finished);
}
