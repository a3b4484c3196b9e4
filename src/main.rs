//! `empower`: parse the command line and run it.

use std::process::ExitCode;

use clap::Parser;
use empower_api::cli::Cli;

#[tokio::main]
async fn main() -> ExitCode {
    Cli::parse().run().await
}
