//! What the user typed: the clap definition of micsync's command line, and nothing else.
//!
//! No syscalls happen here; `settings` turns these values into a resolved `Settings`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Arg, ArgGroup, Command, Parser, ValueEnum, value_parser};

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
    ///
    /// The source is the WORKING location that holds PATHS (PATHS given in a BACKUP: the
    /// accessible WORKING); the destinations are every accessible BACKUP, or those named with
    /// --to. New entries are copied, modified entries are listed and asked about (-m, -k answer
    /// in advance), entries found only in a BACKUP are never deleted. Takes -m -k -s -v -n.
    #[arg(long, group = "action", help_heading = "Actions")]
    pub(crate) backup: bool,

    /// Copy PATHS from a BACKUP to WORKING
    ///
    /// The source is the BACKUP that holds PATHS, else one chosen among the accessible BACKUPs
    /// (--from); the destination is the WORKING that holds PATHS, else one chosen (--to). A path
    /// deleted from WORKING may be given: it is restored. New entries are copied, modified
    /// entries are listed and asked about, entries found only in WORKING are kept unless -d or -D
    /// is given. Takes -m -k -d -D -s -v -n.
    #[arg(long, group = "action", help_heading = "Actions")]
    pub(crate) work: bool,

    /// Copy PATHS from one BACKUP to other BACKUPs
    ///
    /// The source is the BACKUP that holds PATHS, else one chosen (--from); the destinations are
    /// one or more other BACKUPs, chosen (--to). New, modified and only-at-destination entries
    /// are handled as with --work. Takes -m -k -d -D -s -v -n.
    #[arg(long, group = "action", help_heading = "Actions")]
    pub(crate) transfer: bool,

    /// Create the folder skeleton of PATHS from a BACKUP in WORKING, without files
    ///
    /// The source is the BACKUP that holds PATHS, else one chosen (--from); the destination is
    /// the WORKING that holds PATHS, else one chosen (--to). Only directories are created: no
    /// file is copied, nothing is overwritten or deleted. Takes -s -v -n.
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
    ///
    /// Each command is printed as one shell-quoted line that does the same thing when pasted
    /// into a shell. Without a terminal the commands are printed and run.
    #[arg(short = 'v', long)]
    pub(crate) verbose: bool,

    /// Show the plans (and with -v the commands); change nothing, ask no yes/no question
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

/// `Some(KIND)` when the command line is exactly `micsync --generate KIND`; then the man page or
/// a completion script is printed instead of parsing `Cli`.
///
/// A separate one-flag command recognises it, so that `Cli` stays exactly what users see: a
/// hidden flag in `Cli` would have to join the required "action" group, and clap prints every
/// member of a group in usage errors, and clap_complete completes hidden flags. Anything else
/// (`micsync` alone included) is left to `Cli::parse`.
pub(crate) fn generate_request() -> Option<Generated> {
    generate_command()
        .try_get_matches()
        .ok()
        .and_then(|matches| matches.get_one::<Generated>("generate").copied())
}

/// `micsync --generate KIND` and nothing else.
fn generate_command() -> Command {
    Command::new("micsync").disable_help_flag(true).arg(
        Arg::new("generate")
            .long("generate")
            .value_name("KIND")
            .required(true)
            .value_parser(value_parser!(Generated)),
    )
}

/// What `--generate` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Generated {
    /// The man page, micsync.1 (roff)
    Man,
    /// The bash completion script
    Bash,
    /// The zsh completion script (_micsync)
    Zsh,
    /// The fish completion script
    Fish,
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
    fn generate_stands_alone_without_an_action_or_paths() {
        let matches = generate_command()
            .try_get_matches_from(["micsync", "--generate", "zsh"])
            .unwrap();
        assert_eq!(matches.get_one("generate"), Some(&Generated::Zsh));
        for args in [
            &["micsync"][..],
            &["micsync", "--generate", "man", "--backup", "a"],
            &["micsync", "--generate", "man", "a"],
            &["micsync", "--generate", "ps1"],
            &["micsync", "--backup", "a"],
            &["micsync", "--help"],
        ] {
            assert!(
                generate_command().try_get_matches_from(args).is_err(),
                "{args:?} is not a request to generate"
            );
        }
    }

    #[test]
    fn generate_is_not_part_of_the_documented_command() {
        assert!(
            Cli::command()
                .get_arguments()
                .all(|a| a.get_id() != "generate")
        );
        assert!(Cli::try_parse_from(["micsync", "--generate", "man"]).is_err());
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
            &["micsync"],
        ] {
            assert!(
                Cli::try_parse_from(args).is_err(),
                "{args:?} should be rejected"
            );
        }
    }
}
