//! Typed arguments + environment -> one plain `Settings` value. This is the only place that
//! reads `HOME`, the current directory and whether a terminal is attached.

use std::ffi::{OsStr, OsString};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::cli::Cli;
use crate::error::{Error, Result};
use crate::paths;

/// The synchronisation action asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Backup,
    Work,
    Transfer,
    Tree,
}

impl Action {
    pub(crate) fn flag(self) -> &'static str {
        match self {
            Action::Backup => "--backup",
            Action::Work => "--work",
            Action::Transfer => "--transfer",
            Action::Tree => "--tree",
        }
    }
}

/// What to do with entries that exist at the destination with other contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ModifiedPolicy {
    /// List them and ask.
    Ask,
    /// `-m`: overwrite without asking.
    Overwrite,
    /// `-k`: never overwrite.
    Keep,
}

/// What to do with entries found only at the destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeletePolicy {
    /// Keep them (the default, and always for `--backup`).
    Keep,
    /// `-d`: list them and ask.
    Ask,
    /// `-D`: delete without asking.
    Delete,
}

/// A path from the command line, made absolute.
#[derive(Debug, Clone)]
pub(crate) struct UserPath {
    /// As typed, for messages.
    pub(crate) given: OsString,
    /// Absolute and normalised, symbolic links untouched.
    pub(crate) lexical: PathBuf,
    /// With the symbolic links of its existing ancestors resolved (not of itself).
    pub(crate) real: PathBuf,
}

impl UserPath {
    fn new(given: &OsStr, cwd: &Path, home: &Path) -> Self {
        let lexical = paths::normalize(&paths::expand_tilde(given, home), cwd);
        let real = paths::resolve_existing(&lexical, false);
        UserPath {
            given: given.to_os_string(),
            lexical,
            real,
        }
    }
}

/// Everything a run needs to know, resolved once.
#[derive(Debug)]
pub(crate) struct Settings {
    /// The action to perform.
    pub(crate) action: Action,
    /// `-m` / `-k`, or ask.
    pub(crate) modified: ModifiedPolicy,
    /// `-d` / `-D`, or keep.
    pub(crate) delete: DeletePolicy,
    /// `-s`: leave directories out of listed plans.
    pub(crate) hide_dirs: bool,
    /// `-v`: print rsync commands (and ask before transfers in a terminal).
    pub(crate) verbose: bool,
    /// `-n`: plan only.
    pub(crate) dry_run: bool,
    /// `--no-wait` turned around: wait for another micsync using a location.
    pub(crate) wait: bool,
    /// `--max-delete N`: deletions allowed at each destination past the mass-deletion guard.
    pub(crate) max_delete: Option<usize>,
    /// The fstab that lists the mount points that should be mounted (`/etc/fstab`).
    pub(crate) fstab: PathBuf,
    /// The configuration file to read.
    pub(crate) config_file: PathBuf,
    /// `--config-name`.
    pub(crate) config_name: Option<String>,
    /// `--from`, resolved.
    pub(crate) from: Option<UserPath>,
    /// `--to`, resolved.
    pub(crate) to: Vec<UserPath>,
    /// The paths to synchronise.
    pub(crate) paths: Vec<UserPath>,
    /// The home directory that `~` means.
    pub(crate) home: PathBuf,
    /// Whether questions can be asked: standard input and standard error are terminals.
    pub(crate) interactive: bool,
}

impl Settings {
    /// Resolves the typed arguments against the environment.
    pub(crate) fn from_cli(cli: Cli) -> Result<Self> {
        let home = dirs::home_dir()
            .filter(|h| h.is_absolute())
            .ok_or_else(|| Error::Failed("cannot find the home directory: set HOME".into()))?;
        let cwd = std::env::current_dir()
            .map_err(|e| Error::Failed(format!("cannot read the current directory: {e}")))?;
        let resolve = |p: &OsStr| UserPath::new(p, &cwd, &home);
        let config_file = match &cli.config {
            Some(file) => paths::normalize(&paths::expand_tilde(file.as_os_str(), &home), &cwd),
            None => home.join(".micsync.json"),
        };
        Ok(Settings {
            action: action_of(&cli),
            modified: match (cli.overwrite, cli.keep_modified) {
                (true, _) => ModifiedPolicy::Overwrite,
                (_, true) => ModifiedPolicy::Keep,
                _ => ModifiedPolicy::Ask,
            },
            delete: match (cli.delete_without_asking, cli.delete) {
                (true, _) => DeletePolicy::Delete,
                (_, true) => DeletePolicy::Ask,
                _ => DeletePolicy::Keep,
            },
            hide_dirs: cli.hide_dirs,
            verbose: cli.verbose,
            dry_run: cli.dry_run,
            wait: !cli.no_wait,
            max_delete: cli.max_delete,
            fstab: cli.fstab,
            config_file,
            config_name: cli.config_name,
            from: cli.from.as_deref().map(|p| resolve(p.as_os_str())),
            to: cli.to.iter().map(|p| resolve(p.as_os_str())).collect(),
            paths: cli.paths.iter().map(|p| resolve(p)).collect(),
            interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
            home,
        })
    }
}

fn action_of(cli: &Cli) -> Action {
    if cli.backup {
        Action::Backup
    } else if cli.work {
        Action::Work
    } else if cli.transfer {
        Action::Transfer
    } else {
        Action::Tree
    }
}
