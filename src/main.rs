//! redstage binary: read configuration, start logging, build the application and serve until stopped.

use clap::Parser;
use redstage::config::{Cli, Settings};
use redstage::nodered::install::NodeRedInstall;
use redstage::nodered::npm::NpmConfig;
use redstage::nodered::sandbox::Sandbox;
use redstage::startup::Application;
use redstage::telemetry;

/// jemalloc, purging freed pages in a background thread (Cargo.toml, feature `jemalloc`).
#[cfg(feature = "jemalloc")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let install_only = cli.install_node_red;
    let check_sandbox = cli.check_sandbox;
    telemetry::init();
    let settings = Settings::load(cli)?;
    if install_only {
        let npm = NpmConfig::new(settings.npm_registry.clone());
        let install = NodeRedInstall::new(&settings.node_red_dir(), npm);
        install.ensure().await.map_err(anyhow::Error::msg)?;
        println!("Node-RED is installed: {}", install.red_js().display());
        return Ok(());
    }
    if check_sandbox {
        let sandbox = Sandbox::probe(settings.sandbox).await;
        println!("{}", sandbox.report());
        std::process::exit(if sandbox.active() { 0 } else { 1 });
    }
    let app = Application::build(settings).await?;
    app.print_banner();
    app.run_until_stopped().await?;
    Ok(())
}
