//! The port race: a runtime's port is chosen free, but another process can take it before
//! Node-RED listens on it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use redstage::db::ids::InstanceId;

use super::*;

#[tokio::test]
async fn a_runtime_whose_port_is_taken_before_it_listens_starts_at_once_on_another() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    // Another process holds the port the runtime's first two launches are handed.
    let holder = std::net::TcpListener::bind("127.0.0.1:0")?;
    let taken = holder.local_addr()?.port();
    let handed = Arc::new(AtomicU32::new(0));
    let count = handed.clone();
    app.runtimes.choose_ports_with(Arc::new(move || {
        if count.fetch_add(1, Ordering::SeqCst) < 2 {
            return Ok(taken);
        }
        std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()
            .map(|a| a.port())
    }));

    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;

    let status = app.runtimes.status(&InstanceId::from(id.clone()));
    assert_eq!(
        status.crashes, 0,
        "a taken port is not a crash: {:?}",
        status.last_crash
    );
    assert_eq!(handed.load(Ordering::SeqCst), 3, "launched three times");
    assert!(!app.client(&id)?.base_url().ends_with(&format!(":{taken}")));
    let logs = f.member.get(&format!("/instance/{id}/logs")).await?;
    assert!(
        logs.body
            .contains(&format!("Port {taken} was taken by another process")),
        "{}",
        logs.body
    );
    drop(holder);
    Ok(())
}
