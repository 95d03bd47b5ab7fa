//! micsync: keep working directories and their backups in step, with rsync doing every file
//! operation. The binary calls [`main_exit_code`]; the plan parser is public for benchmarks.

mod actions;
mod cli;
mod config;
mod error;
mod generate;
pub mod itemize;
mod location;
mod paths;
pub mod plan;
mod prompt;
mod resolve;
mod rsync;
mod settings;
mod show;
mod signals;

use std::process::ExitCode;

use clap::Parser;

use crate::error::{Error, Result, Status};
use crate::settings::Settings;

/// Parses the command line, runs, prints any error in one place as `micsync: <message>`, and
/// returns the exit status.
pub fn main_exit_code() -> ExitCode {
    let result = match cli::generate_request() {
        Some(kind) => generate::print(kind),
        None => run(cli::Cli::parse()),
    };
    match result {
        Ok(status) => status.into(),
        Err(error) => {
            eprintln!("micsync: {error}");
            error.status().into()
        }
    }
}

fn run(cli: cli::Cli) -> Result<Status> {
    signals::install()
        .map_err(|e| Error::Failed(format!("cannot install signal handlers: {e}")))?;
    let settings = Settings::from_cli(cli)?;
    let configs = config::load(&settings.config_file, &settings.home)?;
    let rsync = rsync::locate()?;
    actions::run(&settings, &configs, &rsync)
}
