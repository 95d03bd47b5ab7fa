//! What the user typed: the clap definition of micsync's command line, and nothing else.
//!
//! No syscalls happen here; `settings` turns these values into a resolved `Settings`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{ArgGroup, Parser, ValueEnum};

const AFTER_HELP: &str = "\
Examples:
  micsync --backup ~/docs/thesis        push what changed to every plugged-in BACKUP
  micsync --backup -m ~/docs            ... and overwrite modified files without asking
  micsync --work ~/photos/2024          fetch that folder from a BACKUP into WORKING
  micsync --work -mD ~/docs             make WORKING equal to the BACKUP, without questions
  micsync --transfer /mnt/usb1/photos   refresh other BACKUPs from this one
  micsync --tree ~/photos               create the BACKUP's folder skeleton in WORKING
  micsync --backup -n -v ~/docs         show the plan and the rsync commands, change nothing
  micsync --status                      is everything backed up, where, and since when?
  micsync --status --json ~/docs        the same for one folder, for a script
  micsync --add-config docs ~/docs /mnt/usb1/docs
                                        create a configuration: WORKING first, then BACKUPs
  micsync --add-backup docs /mnt/usb2/docs    add a BACKUP to it
  micsync --list                        the configurations and which locations are plugged in
  micsync --history 5                   the last 5 runs that changed something

Locations are declared in ~/.micsync.json (or --config FILE, or $MICSYNC_CONFIG):
  {\"configs\": [{\"name\": \"docs\", \"work\": [\"~/docs\"], \"backup\": [\"/mnt/usb1/docs\"]}]}

Exit status: 0 done or nothing to do, 1 failure, 2 usage error or a question that could not be
asked (no terminal), 3 quit at a question, 130 interrupted. --status: 0 every accessible
BACKUP up to date, 4 some accessible BACKUP lacks new or modified entries of WORKING, 1
nothing could be compared or a comparison failed.";

/// The options only the synchronising actions take: the other actions conflict with them.
const SYNC_OPTIONS: [&str; 9] = [
    "overwrite",
    "keep_modified",
    "delete",
    "delete_without_asking",
    "hide_dirs",
    "verbose",
    "dry_run",
    "from",
    "to",
];

/// What the configuration edits take from the other actions: they name their configuration.
const EDIT_CONFLICTS: [&str; 2] = ["json", "config_name"];

/// micsync: keep working directories and their backups in step, with rsync.
#[derive(Debug, Parser)]
#[command(
    name = "micsync",
    version,
    about = "Keep working directories and their backups in step, with rsync doing every file operation",
    long_about = "Keep working directories and their backups in step, with rsync doing every file \
                  operation.\n\nmicsync shows exactly what will change at each destination (new, \
                  modified and to-be-deleted entries), asks before anything is overwritten or \
                  deleted, and then runs rsync on exactly the approved entries.",
    after_help = AFTER_HELP,
    group(ArgGroup::new("action").required(true).multiple(false)),
)]
pub(crate) struct Cli {
    /// Copy PATHS from WORKING to every accessible BACKUP; never deletes there
    #[arg(long, group = "action", help_heading = "Actions")]
    pub(crate) backup: bool,

    /// Copy PATHS from a BACKUP to WORKING
    #[arg(long, group = "action", help_heading = "Actions")]
    pub(crate) work: bool,

    /// Copy PATHS from one BACKUP to other BACKUPs
    #[arg(long, group = "action", help_heading = "Actions")]
    pub(crate) transfer: bool,

    /// Create the folder skeleton of PATHS from a BACKUP in WORKING, without files
    #[arg(long, group = "action", help_heading = "Actions")]
    pub(crate) tree: bool,

    /// Show each location and what every accessible BACKUP lacks of WORKING; changes nothing
    #[arg(long, group = "action", help_heading = "Questions", conflicts_with_all = SYNC_OPTIONS)]
    pub(crate) status: bool,

    /// List the configurations and their locations, accessible or not, without walking any tree
    #[arg(
        long,
        group = "action",
        help_heading = "Questions",
        conflicts_with_all = SYNC_OPTIONS,
        conflicts_with = "paths"
    )]
    pub(crate) list: bool,

    /// Show the last N runs that changed something [default: 10]
    #[arg(
        long,
        value_name = "N",
        num_args = 0..=1,
        default_missing_value = "10",
        group = "action",
        help_heading = "Questions",
        conflicts_with_all = SYNC_OPTIONS,
        conflicts_with = "paths",
    )]
    pub(crate) history: Option<usize>,

    /// Add configuration NAME to the file (created when missing): WORKING is the first path,
    /// BACKUP the others
    #[arg(
        long,
        value_name = "NAME",
        group = "action",
        help_heading = "Configuration",
        conflicts_with_all = SYNC_OPTIONS,
        conflicts_with_all = EDIT_CONFLICTS
    )]
    pub(crate) add_config: Option<String>,

    /// Add PATHS as WORKING locations of configuration NAME
    #[arg(
        long,
        value_name = "NAME",
        group = "action",
        help_heading = "Configuration",
        conflicts_with_all = SYNC_OPTIONS,
        conflicts_with_all = EDIT_CONFLICTS
    )]
    pub(crate) add_work: Option<String>,

    /// Add PATHS as BACKUP locations of configuration NAME
    #[arg(
        long,
        value_name = "NAME",
        group = "action",
        help_heading = "Configuration",
        conflicts_with_all = SYNC_OPTIONS,
        conflicts_with_all = EDIT_CONFLICTS
    )]
    pub(crate) add_backup: Option<String>,

    /// Print --status, --list or --history as JSON
    #[arg(long, conflicts_with_all = ["backup", "work", "transfer", "tree"])]
    pub(crate) json: bool,

    /// Overwrite modified entries without asking
    #[arg(short = 'm', long = "overwrite", conflicts_with_all = ["tree", "keep_modified"])]
    pub(crate) overwrite: bool,

    /// Never overwrite modified entries, without asking
    #[arg(short = 'k', long, conflicts_with = "tree")]
    pub(crate) keep_modified: bool,

    /// Delete entries found only at the destination, after listing them and asking (--work, --transfer)
    #[arg(short = 'd', long, conflicts_with_all = ["backup", "tree"])]
    pub(crate) delete: bool,

    /// Delete entries found only at the destination without asking (wins over -d)
    #[arg(short = 'D', long = "delete-without-asking", conflicts_with_all = ["backup", "tree"])]
    pub(crate) delete_without_asking: bool,

    /// Leave directories out of the listed plans
    #[arg(short = 's', long = "hide-dirs")]
    pub(crate) hide_dirs: bool,

    /// Print every rsync command; in a terminal, ask before running each transfer
    #[arg(short = 'v', long)]
    pub(crate) verbose: bool,

    /// Show the plans (and with -v the commands); change nothing, ask nothing
    #[arg(short = 'n', long)]
    pub(crate) dry_run: bool,

    /// Fail at once, instead of waiting, when another micsync is using a location
    #[arg(long)]
    pub(crate) no_wait: bool,

    /// Allow up to N deletions at each destination past the mass-deletion guard
    #[arg(long, value_name = "N", conflicts_with_all = ["backup", "tree"])]
    pub(crate) max_delete: Option<usize>,

    /// The fstab that says which mount points should be mounted (a hook for tests)
    #[arg(
        long,
        value_name = "FILE",
        env = "MICSYNC_FSTAB",
        default_value = "/etc/fstab",
        hide = true
    )]
    pub(crate) fstab: PathBuf,

    /// Configuration file to read [default: ~/.micsync.json]
    #[arg(long, value_name = "FILE", env = "MICSYNC_CONFIG")]
    pub(crate) config: Option<PathBuf>,

    /// Use this configuration when the paths fit several
    #[arg(long, value_name = "NAME")]
    pub(crate) config_name: Option<String>,

    /// Use this location as the source (answers "which source?")
    #[arg(long, value_name = "LOCATION")]
    pub(crate) from: Option<PathBuf>,

    /// Use this location as a destination (repeatable; answers "which destination?")
    #[arg(long, value_name = "LOCATION")]
    pub(crate) to: Vec<PathBuf>,

    /// When to use colours: auto (on a terminal, unless NO_COLOR is set), always, never
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub(crate) color: ColorChoice,

    /// Files or directories inside a WORKING or BACKUP location
    // Optional for clap, since --status takes none or some: settings requires them for the
    // synchronising actions, with the usual usage status.
    #[arg(value_name = "PATHS")]
    pub(crate) paths: Vec<OsString>,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn combined_short_options_parse() {
        let cli = Cli::try_parse_from(["micsync", "--work", "-mD", "a"]).unwrap();
        assert!(cli.work && cli.overwrite && cli.delete_without_asking);
    }

    #[test]
    fn options_an_action_does_not_take_are_rejected() {
        for args in [
            &["micsync", "--backup", "-d", "a"][..],
            &["micsync", "--backup", "-D", "a"],
            &["micsync", "--tree", "-m", "a"],
            &["micsync", "--tree", "-k", "a"],
            &["micsync", "--tree", "-d", "a"],
            &["micsync", "--work", "-m", "-k", "a"],
            &["micsync", "--work", "--backup", "a"],
            &["micsync", "a"],
            &["micsync", "--list", "-m"],
            &["micsync", "--list", "a"],
            &["micsync", "--backup", "--json", "a"],
            &["micsync", "--history", "a"],
            &["micsync", "--status", "-m", "a"],
            &["micsync", "--add-config", "n", "--json", "a", "b"],
            &["micsync", "--add-backup", "n", "-m", "a"],
            &["micsync", "--add-work", "n", "--config-name", "m", "a"],
            &["micsync", "--status", "--to", "b"],
            &["micsync", "--history", "3", "-D"],
        ] {
            assert!(
                Cli::try_parse_from(args).is_err(),
                "{args:?} should be rejected"
            );
        }
    }
}
