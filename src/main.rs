//! micsync: keep working directories and their backups in step, with rsync doing every file
//! operation. `main` is thin: it builds the settings, runs, and turns the outcome into an exit
//! status; errors are printed here and nowhere else.

mod actions;
mod cli;
mod config;
mod error;
mod itemize;
mod location;
mod paths;
mod plan;
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

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match run(cli) {
        Ok(status) => status.into(),
        Err(error) => {
            match &error {
                Error::Interrupted => eprintln!("micsync: interrupted"),
                Error::Quit => eprintln!("micsync: {error}"),
                _ => eprintln!("micsync: {error}"),
            }
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
