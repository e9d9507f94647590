//! The instance-origin proxy's cost: a flow endpoint (hello.json's `/hello`) called through the
//! instance's own origin (`{label}.localhost` on redstage's port) next to the same endpoint on
//! the runtime's own port, under `wrk` at the same connection counts.

use anyhow::Result;
use redstage::db::models::instances;

use crate::page::{Load, wrk};
use crate::promote::Line;
use crate::server::Server;

/// (what, wrk run) for each side and connection count.
pub async fn overhead(
    server: &Server,
    line: &Line,
    seconds: u32,
) -> Result<Vec<(&'static str, Load)>> {
    let id = line.target_id.clone();
    let label = line
        .db
        .run(move |conn| Ok(instances::find(conn, &id)?.label))
        .await?;
    let port = server
        .base
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_owned();
    let host = vec![format!("Host: {label}.localhost:{port}")];
    let through = format!("{}/hello", server.base);
    let target = line.target();
    let direct = format!("{}/hello", target.base());
    let mut loads = Vec::new();
    for connections in [1, 4] {
        eprintln!(
            "wrk: /hello directly and through the instance origin, {connections} connection(s)"
        );
        loads.push((
            "runtime's own port",
            wrk(
                server,
                &direct,
                &[target.secret_header()],
                connections,
                seconds,
            )
            .await?,
        ));
        loads.push((
            "instance origin",
            wrk(server, &through, &host, connections, seconds).await?,
        ));
    }
    Ok(loads)
}
