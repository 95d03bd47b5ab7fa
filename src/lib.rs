//! micsync: keep working directories and their backups in step, with rsync doing every file
//! operation. The binary calls [`main_exit_code`]; the plan parser is public for benchmarks.

mod actions;
mod cli;
mod clock;
mod config;
mod config_edit;
mod error;
#[cfg(test)]
mod fuzz;
mod generate;
mod guard;
mod history;
pub mod itemize;
mod list;
mod location;
mod lock;
mod mounts;
mod pager;
mod paths;
pub mod plan;
mod progress;
mod prompt;
mod resolve;
mod rsync;
mod settings;
mod show;
mod signals;
mod status;

use std::process::ExitCode;

use clap::Parser;

use crate::error::{Error, Result, Status};
use crate::settings::{Settings, Task};

/// Parses the command line, runs, prints any error in one place as `micsync: <message>`, and
/// returns the exit status.
pub fn main_exit_code() -> ExitCode {
    signals::restore_sigpipe();
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
    mounts::load(&settings.fstab);
    let configs = || config::load(&settings.config_file, &settings.home);
    match settings.task {
        Task::History(count) => history::show(&settings, count),
        Task::Edit(ref edit) => config_edit::run(&settings, edit),
        Task::List => list::run(&settings, &configs()?),
        Task::Status => {
            let configs = configs()?;
            let rsync = rsync::locate()?;
            status::run(&settings, &configs, &rsync)
        }
        Task::Sync => {
            let configs = configs()?;
            let rsync = rsync::locate()?;
            actions::run(&settings, &configs, &rsync)
        }
    }
}
