//! Typed arguments + environment -> one plain `Settings` value. This is the only place that
//! reads `HOME`, the current directory and whether a terminal is attached.

use std::ffi::{OsStr, OsString};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::cli::{Cli, ColorChoice};
use crate::error::{Error, Result};
use crate::location::Role;
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

/// What a run does: synchronise, or answer a question about the configuration and the past.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Task {
    /// `--backup`, `--work`, `--transfer`, `--tree`: `Settings::action` says which.
    Sync,
    /// `--status`: compare every accessible BACKUP with WORKING.
    Status,
    /// `--list`: the configurations and their locations, without walking any tree.
    List,
    /// `--history N`: the last N recorded runs.
    History(usize),
    /// `--add-config`, `--add-work`, `--add-backup`: change the configuration file.
    Edit(Edit),
}

/// A change to the configuration file; the locations are `Settings::paths`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Edit {
    /// A new configuration: WORKING is the first path, BACKUP the others.
    AddConfig(String),
    /// More locations of one role for an existing configuration.
    AddLocations(Role, String),
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
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// What the run does.
    pub(crate) task: Task,
    /// The synchronising action (for `Task::Sync`).
    pub(crate) action: Action,
    /// `--json`: machine-readable output for the questions.
    pub(crate) json: bool,
    /// The history file: `$XDG_STATE_HOME/micsync/history.jsonl`, by default under
    /// `~/.local/state`.
    pub(crate) history_file: PathBuf,
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
    /// Whether a progress bar is drawn: standard error is a terminal.
    pub(crate) progress: bool,
    /// The pager for plans longer than the screen, when standard output is a terminal:
    /// `$PAGER` split into words, else `less`.
    pub(crate) pager: Option<Vec<String>>,
}

impl Settings {
    /// Resolves the typed arguments against the environment.
    pub(crate) fn from_cli(cli: Cli) -> Result<Self> {
        apply_color(cli.color);
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
        let task = task_of(&cli);
        ensure_paths(&task, &cli)?;
        Ok(Settings {
            history_file: history_file(&home),
            task,
            json: cli.json,
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
            progress: std::io::stderr().is_terminal(),
            pager: pager(),
            home,
        })
    }
}

/// Applies `--color`; `auto` leaves console's detection (a terminal, and NO_COLOR unset).
pub(crate) fn apply_color(choice: ColorChoice) {
    let forced = match choice {
        ColorChoice::Auto => return,
        ColorChoice::Always => true,
        ColorChoice::Never => false,
    };
    console::set_colors_enabled(forced);
    console::set_colors_enabled_stderr(forced);
}

/// `$PAGER` (empty or `cat` means none), else `less`; only when standard output is a terminal.
/// Like git, `LESS` defaults to `FRX`: quit when the text fits, keep colours, leave it on screen.
fn pager() -> Option<Vec<String>> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    let words = match std::env::var("PAGER") {
        Ok(command) => shell_words::split(&command).ok()?,
        Err(_) => vec!["less".to_string()],
    };
    match words.first().map(String::as_str) {
        None | Some("cat") => None,
        Some(_) => Some(words),
    }
}

fn task_of(cli: &Cli) -> Task {
    if cli.status {
        Task::Status
    } else if cli.list {
        Task::List
    } else if let Some(count) = cli.history {
        Task::History(count)
    } else if let Some(name) = &cli.add_config {
        Task::Edit(Edit::AddConfig(name.clone()))
    } else if let Some(name) = &cli.add_work {
        Task::Edit(Edit::AddLocations(Role::Work, name.clone()))
    } else if let Some(name) = &cli.add_backup {
        Task::Edit(Edit::AddLocations(Role::Backup, name.clone()))
    } else {
        Task::Sync
    }
}

/// clap leaves PATHS optional because the questions go without; the synchronising actions
/// need at least one.
fn ensure_paths(task: &Task, cli: &Cli) -> Result<()> {
    let given = cli.paths.len();
    let problem = match task {
        Task::Sync if given == 0 => format!(
            "{} needs at least one path (a file or folder inside a location)",
            action_of(cli).flag()
        ),
        Task::Edit(Edit::AddConfig(_)) if given < 2 => {
            "--add-config NAME needs a WORKING location and at least one BACKUP location".into()
        }
        Task::Edit(Edit::AddLocations(role, _)) if given == 0 => {
            format!("adding {role} locations needs at least one path")
        }
        _ => return Ok(()),
    };
    Err(Error::Usage(format!("{problem}; see --help")))
}

/// `$XDG_STATE_HOME/micsync/history.jsonl`; the XDG base directory specification says a relative
/// `XDG_STATE_HOME` is to be ignored, so then (and when unset) `~/.local/state` is used.
fn history_file(home: &Path) -> PathBuf {
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| home.join(".local/state"));
    state.join("micsync").join("history.jsonl")
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
