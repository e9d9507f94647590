//! redstage binary: read configuration, start logging, build the application and serve until stopped.

use clap::Parser;
use redstage::config::{Cli, Settings};
use redstage::startup::Application;
use redstage::telemetry;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init();
    let settings = Settings::load(cli)?;
    let app = Application::build(settings).await?;
    app.print_banner();
    app.run_until_stopped().await?;
    Ok(())
}
