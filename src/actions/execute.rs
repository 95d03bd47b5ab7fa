//! Running an approved plan: one rsync per part of it (deletions, overwrites, new entries), each
//! on exactly its list (rsync-notes.md §4), and one summary line per destination.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::Instant;

use tempfile::NamedTempFile;

use crate::actions::sync::{Decided, Job, ensure_not_interrupted};
use crate::error::{Error, Result};
use crate::guard;
use crate::location::Location;
use crate::plan::List;
use crate::progress::{self, Progress};
use crate::rsync::RsyncCommand;
use crate::show;

/// One approved rsync command and the list file it reads (kept until it has run).
#[derive(Debug)]
pub(crate) struct Run {
    pub(super) kind: RunKind,
    pub(super) command: RsyncCommand,
    pub(super) list: List,
    /// Removed when the run is dropped; `None` when kept for the user (`-n -v`).
    _file: Option<NamedTempFile>,
}

/// Which part of a plan a run carries out. They run in this order: deletions free space first,
/// and an approved folder that replaces a file must exist before the new entries inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RunKind {
    Delete,
    Overwrite,
    Create,
}

/// How a destination ended.
#[derive(Debug)]
pub(crate) struct Outcome<'c> {
    pub(crate) destination: &'c Location,
    pub(crate) failed: bool,
    /// The approved lists with the part of the plan each carries out, for the history.
    pub(crate) lists: Vec<(RunKind, List)>,
}

impl<'c> Job<'_, 'c> {
    /// Writes the list file and builds the command that runs exactly that list.
    pub(super) fn prepare(&self, destination: &Location, list: List, kind: RunKind) -> Result<Run> {
        let file = tempfile::Builder::new()
            .prefix("micsync-list-")
            .tempfile()
            .and_then(|mut f| f.write_all(&list.bytes).and(f.flush()).map(|_| f))
            .map_err(|e| Error::Failed(format!("cannot write the list of entries: {e}")))?;
        let command = self.transfer_command(destination, file.path(), kind, &list);
        // A dry run's printed commands stay runnable: their lists are kept for the user.
        let file = if self.settings.dry_run && self.settings.verbose {
            file.keep()
                .map_err(|e| Error::Failed(format!("cannot keep the list of entries: {e}")))?;
            None
        } else {
            Some(file)
        };
        Ok(Run {
            kind,
            command,
            list,
            _file: file,
        })
    }

    /// Runs the entries of a list file, and nothing else, whatever changed since the plan.
    /// rsync writes each file under a temporary name and renames it when complete; an
    /// interrupted file is kept in `.micsync-partial` beside it (never under its final name, and
    /// out of every plan) and resumed by the next run (rsync-notes.md §9).
    /// - A deletion run refuses to create or update anything (`--existing --ignore-existing`),
    ///   so an entry that reappeared in the source is left alone, and stops past the planned
    ///   number of deletions (`--max-delete`).
    /// - An overwrite run removes a folder (`--force`) only when an approved entry replaces one.
    /// - A creation run never touches what exists (`--ignore-existing`): an entry that appeared
    ///   at the destination since the plan was never approved to be overwritten.
    /// - No copy run has `--delete-missing-args`: an entry that vanished from the source is never
    ///   deleted at the destination.
    pub(crate) fn transfer_command(
        &self,
        destination: &Location,
        list_file: &Path,
        kind: RunKind,
        list: &List,
    ) -> RsyncCommand {
        let command = RsyncCommand::new(self.rsync)
            .arg("--archive")
            .files_from(list_file)
            .args(["--no-implied-dirs", "--out-format=%i %l %n"])
            .arg(format!("--partial-dir={}", guard::PARTIAL_DIR));
        let command = match kind {
            RunKind::Delete => command
                .args([
                    "--delete-missing-args",
                    "--existing",
                    "--ignore-existing",
                    "--force",
                ])
                .arg(format!("--max-delete={}", list.deleted)),
            RunKind::Overwrite if list.needs_force => command.arg("--force"),
            RunKind::Overwrite => command,
            RunKind::Create => command.arg("--ignore-existing"),
        };
        let command = match kind {
            RunKind::Overwrite | RunKind::Create if self.settings.progress => {
                command.args(progress::RSYNC_ARGS)
            }
            _ => command,
        };
        command
            .arg(self.source.rsync_root())
            .arg(destination.rsync_root())
    }

    /// Runs every approved command; one destination failing does not stop the others.
    pub(crate) fn execute_all(&self, decided: Vec<Decided<'c>>) -> Result<Vec<Outcome<'c>>> {
        let mut outcomes = Vec::with_capacity(decided.len());
        for Decided {
            destination,
            runs,
            failure,
        } in decided
        {
            let failed = failure.is_some() || !self.execute(destination, &runs)?;
            outcomes.push(Outcome {
                destination,
                failed,
                lists: runs.into_iter().map(|run| (run.kind, run.list)).collect(),
            });
        }
        Ok(outcomes)
    }

    fn execute(&self, destination: &Location, runs: &[Run]) -> Result<bool> {
        let name = format!("{} {destination}", destination.role());
        if runs.is_empty() {
            return Ok(true);
        }
        let started = Instant::now();
        let (mut new, mut modified, mut deleted, mut bytes) = (0, 0, 0, 0);
        for run in runs {
            ensure_not_interrupted()?;
            if run.kind == RunKind::Delete {
                if let Err(change) = ensure_deletions_unchanged(destination, &run.list) {
                    eprintln!(
                        "micsync: {name}: not changed: {change}; run micsync again to see a new plan"
                    );
                    return Ok(false);
                }
            }
            let bar = Progress::new(
                self.settings.progress && run.list.bytes_to_send > 0,
                run.list.bytes_to_send,
                &name,
            );
            let result = run.command.run(|segment| bar.update(segment));
            drop(bar);
            ensure_not_interrupted()?;
            match result {
                Ok(finished) => {
                    // In a deletion run, "vanished" only means that a listed entry's parent is
                    // missing from the source too, which is why it is deleted.
                    if finished.vanished && run.kind != RunKind::Delete {
                        eprintln!(
                            "micsync: warning: {name}: some source files vanished during the transfer\n{}",
                            finished.stderr.trim_end()
                        );
                    }
                    new += run.list.new;
                    modified += run.list.modified;
                    deleted += run.list.deleted;
                    bytes += run.list.bytes_to_send;
                }
                Err(e) => {
                    eprintln!("micsync: {name}: {e}\n  command: {}", run.command);
                    return Ok(false);
                }
            }
        }
        println!(
            "{name}: done: {new} new, {modified} modified, {deleted} deleted, {} in {:.1} s",
            show::human_bytes(bytes),
            started.elapsed().as_secs_f64()
        );
        Ok(true)
    }
}

/// Folders are deleted whole (`--force`). Before that, each must still hold only entries that
/// the plan deletes: an entry that appeared in one since the plan was never approved.
fn ensure_deletions_unchanged(
    destination: &Location,
    list: &List,
) -> std::result::Result<(), String> {
    let names = || list.lost.split(|&b| b == 0).filter(|n| !n.is_empty());
    let planned: HashSet<&[u8]> = names().map(|n| n.strip_suffix(b"/").unwrap_or(n)).collect();
    for dir in names().filter_map(|n| n.strip_suffix(b"/")) {
        let Ok(entries) = fs::read_dir(destination.local_path(Path::new(OsStr::from_bytes(dir))))
        else {
            continue;
        };
        for entry in entries.flatten() {
            let mut rel = dir.to_vec();
            rel.push(b'/');
            rel.extend_from_slice(entry.file_name().as_bytes());
            if !planned.contains(rel.as_slice()) {
                return Err(format!(
                    "{} appeared in a folder to be deleted",
                    show::escape(&rel)
                ));
            }
        }
    }
    Ok(())
}
