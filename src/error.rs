//! micsync's errors and the exit status each one means. `main` prints them in one place.

use std::process::ExitCode;

use thiserror::Error;

use crate::config::ConfigError;
use crate::rsync::RsyncError;

/// A question that could not be asked because there is no terminal, and how to answer it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unasked {
    pub(crate) question: String,
    pub(crate) answer_with: String,
}

/// Everything that ends a run early.
#[derive(Debug, Error)]
pub(crate) enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Rsync(#[from] RsyncError),
    /// Paths that do not fit the configuration, inaccessible locations, and the like.
    #[error("{0}")]
    Failed(String),
    #[error("{0}")]
    Usage(String),
    #[error("{}", unasked_message(.0))]
    NoTerminal(Vec<Unasked>),
    #[error("quit: nothing was changed")]
    Quit,
    #[error("interrupted")]
    Interrupted,
}

fn unasked_message(unasked: &[Unasked]) -> String {
    let mut text = String::from(
        "no terminal to ask on (standard input and standard error must both be terminals), so these questions could not be asked:",
    );
    for u in unasked {
        text.push_str(&format!(
            "\n  {}\n    answer it with {}",
            u.question, u.answer_with
        ));
    }
    text.push_str("\nNothing was changed.");
    text
}

/// The exit statuses micsync promises (README "Exit status").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// Done, or nothing to do (rsync's "some files vanished" included); for `--status`, every
    /// accessible BACKUP is up to date.
    Success,
    /// A failure: configuration, paths, nothing accessible, or rsync failed somewhere.
    Failure,
    /// A usage error, or a question that could not be asked.
    Usage,
    /// The user answered quit.
    Quit,
    /// `--status`: some accessible BACKUP lacks new or modified entries of WORKING.
    Behind,
    /// Interrupted by Ctrl-C or a termination signal.
    Interrupted,
}

impl Status {
    pub(crate) fn code(self) -> u8 {
        match self {
            Status::Success => 0,
            Status::Failure => 1,
            Status::Usage => 2,
            Status::Quit => 3,
            Status::Behind => 4,
            Status::Interrupted => 130,
        }
    }
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        ExitCode::from(status.code())
    }
}

impl Error {
    pub(crate) fn status(&self) -> Status {
        match self {
            Error::Config(_) | Error::Rsync(_) | Error::Failed(_) => Status::Failure,
            Error::Usage(_) | Error::NoTerminal(_) => Status::Usage,
            Error::Quit => Status::Quit,
            Error::Interrupted => Status::Interrupted,
        }
    }
}

pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;
