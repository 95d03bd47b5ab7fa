//! One action's work at its destinations: one dry run each to plan, every question before any
//! transfer, then rsync on exactly the approved entries (rsync-notes.md §4).

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use tempfile::NamedTempFile;

use crate::config::Configuration;
use crate::error::{Error, Result, Unasked};
use crate::guard;
use crate::itemize::FileType;
use crate::location::{Location, Role};
use crate::pager;
use crate::plan::{Change, Destination, List, Plan, PlanBuilder};
use crate::progress::{self, Progress};
use crate::prompt::Prompter;
use crate::rsync::{RsyncCommand, RsyncError};
use crate::settings::{Action, DeletePolicy, ModifiedPolicy, Settings};
use crate::show::{self, DeletedAs, Detail};
use crate::signals;

/// The name of the per-directory filter file.
const IGNORE_FILE: &str = ".micsyncignore";

/// What is shared by every destination of one run.
#[derive(Debug)]
pub(crate) struct Job<'a, 'c> {
    pub(crate) settings: &'a Settings,
    pub(crate) config: &'c Configuration,
    pub(crate) source: &'c Location,
    pub(crate) rels: &'a [PathBuf],
    pub(crate) rsync: &'a Path,
}

/// A destination with its plan, or why it could not be planned.
#[derive(Debug)]
pub(crate) struct Planned<'c> {
    pub(crate) destination: &'c Location,
    pub(crate) plan: std::result::Result<Plan, RsyncError>,
}

/// A destination with the approved commands, ready to run.
#[derive(Debug)]
pub(crate) struct Decided<'c> {
    destination: &'c Location,
    runs: Vec<Run>,
    /// Why the destination will not be changed, when it is a failure.
    failure: Option<String>,
}

/// One approved rsync command and the list file it reads (kept until it has run).
#[derive(Debug)]
struct Run {
    kind: RunKind,
    command: RsyncCommand,
    list: List,
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
    /// The approved lists, for the history.
    pub(crate) lists: Vec<List>,
}

/// Probes a local destination with `lstat`.
struct Local<'a>(&'a Location);

impl Destination for Local<'_> {
    fn probe(&self, rel: &[u8]) -> Option<(FileType, u64)> {
        let meta = self
            .0
            .local_path(Path::new(std::ffi::OsStr::from_bytes(rel)))
            .symlink_metadata()
            .ok()?;
        let kind = meta.file_type();
        let file_type = if kind.is_dir() {
            FileType::Dir
        } else if kind.is_symlink() {
            FileType::Symlink
        } else if kind.is_file() {
            FileType::File
        } else {
            FileType::Special
        };
        Some((file_type, meta.len()))
    }
}

impl<'c> Job<'_, 'c> {
    /// Plans every destination with one dry run each.
    pub(crate) fn plan_all(&self, destinations: &[&'c Location]) -> Result<Vec<Planned<'c>>> {
        let mut planned = Vec::with_capacity(destinations.len());
        for &destination in destinations {
            let command = self.plan_command(destination);
            self.announce(&command, None);
            let local = Local(destination);
            let requested: Vec<&Path> = self.rels.iter().map(PathBuf::as_path).collect();
            let mut builder = PlanBuilder::new(&local, &requested);
            let result = command.run(|line| builder.push_line(line));
            ensure_not_interrupted()?;
            planned.push(Planned {
                destination,
                plan: result.map(|_| builder.finish()),
            });
        }
        Ok(planned)
    }

    /// The dry run that classifies every entry under the given paths at once.
    pub(crate) fn plan_command(&self, destination: &Location) -> RsyncCommand {
        let mut command = RsyncCommand::new(self.rsync).args([
            "--archive",
            "--dry-run",
            "--force",
            "--out-format=%i %l %n",
        ]);
        if self.plans_deletions() {
            command = command.args(["--delete", "--delete-missing-args"]);
        }
        command
            .args(self.filter_args(destination))
            .arg("--relative")
            .args(self.rels.iter().map(|rel| self.source.rsync_relative(rel)))
            .arg(destination.rsync_root())
    }

    /// `--work` and `--transfer` plan deletions always: without `-d` they are shown as kept.
    fn plans_deletions(&self) -> bool {
        matches!(self.settings.action, Action::Work | Action::Transfer)
    }

    /// The configuration's excludes, `.micsyncignore` files, and for `--tree` directories only.
    fn filter_args(&self, destination: &Location) -> Vec<OsString> {
        let mut args: Vec<OsString> = self
            .config
            .exclude
            .iter()
            .map(|p| OsString::from(format!("--exclude={p}")))
            .collect();
        // Ignore files are never deleted: deleting one would expose what it protects.
        args.insert(0, format!("--filter=protect {IGNORE_FILE}").into());
        args.extend(
            self.ancestor_ignore_files(destination)
                .into_iter()
                .map(|file| {
                    let mut rule = OsString::from("--filter=merge ");
                    rule.push(file);
                    rule
                }),
        );
        args.push(format!("--filter=dir-merge {IGNORE_FILE}").into());
        args.push(format!("--filter=-p {}/", guard::PARTIAL_DIR).into());
        if self.settings.action == Action::Tree {
            args.extend(["--include=*/".into(), "--exclude=*".into()]);
        }
        args
    }

    /// The ignore files of the folders above the given paths, at the source and the destination.
    /// rsync reads a `.micsyncignore` only in the folders it transfers, and `--relative
    /// root/./sub` starts below them; merged as they are, their rules apply on both sides, so
    /// what they name is neither copied nor deleted. (A pattern anchored with `/` in them is
    /// anchored at the location's root.)
    fn ancestor_ignore_files(&self, destination: &Location) -> Vec<PathBuf> {
        let mut dirs: Vec<&Path> = Vec::new();
        for rel in self.rels {
            dirs.extend(rel.ancestors().skip(1));
        }
        dirs.sort();
        dirs.dedup();
        let mut files = Vec::new();
        for location in [self.source, destination] {
            for dir in &dirs {
                let file = location.local_path(dir).join(IGNORE_FILE);
                if file.is_file() {
                    files.push(file);
                }
            }
        }
        files
    }

    /// Shows each plan and asks its questions, before anything runs. Destinations with the same
    /// plan share one listing and one set of questions, which say so. Without a terminal, every
    /// question that would be needed is collected and reported.
    pub(crate) fn decide_all(
        &self,
        planned: Vec<Planned<'c>>,
        prompter: &Prompter,
    ) -> Result<Vec<Decided<'c>>> {
        let mut decided = Vec::with_capacity(planned.len());
        let mut groups: Vec<(Vec<&'c Location>, Plan)> = Vec::new();
        for Planned { destination, plan } in planned {
            match plan {
                Ok(plan) => match groups.iter_mut().find(|(_, p)| p.has_same_changes(&plan)) {
                    Some((group, _)) => group.push(destination),
                    None => groups.push((vec![destination], plan)),
                },
                Err(e) => {
                    let failure = format!("{} {destination}: cannot plan: {e}", destination.role());
                    eprintln!("micsync: {failure}");
                    decided.push(Decided {
                        destination,
                        runs: Vec::new(),
                        failure: Some(failure),
                    });
                }
            }
        }
        let mut unasked = Vec::new();
        for (group, plan) in &groups {
            decided.extend(self.decide(group, plan, prompter, &mut unasked)?);
        }
        if unasked.is_empty() {
            Ok(decided)
        } else {
            Err(Error::NoTerminal(unasked))
        }
    }

    fn decide(
        &self,
        group: &[&'c Location],
        plan: &Plan,
        prompter: &Prompter,
        unasked: &mut Vec<Unasked>,
    ) -> Result<Vec<Decided<'c>>> {
        self.present(group, plan);
        let place = place(group);
        let overwrite = self
            .ask_overwrite(&place, plan, prompter)
            .or_else(|e| defer(e, unasked))?;
        let delete = self
            .ask_delete(&place, plan, prompter)
            .or_else(|e| defer(e, unasked))?;
        let mut decided = Vec::with_capacity(group.len());
        for &destination in group {
            if delete {
                let count = plan.totals(Change::Deleted).count;
                if let Some(stop) =
                    guard::check(destination, self.rels, count, self.settings.max_delete)
                {
                    eprintln!("micsync: {stop}");
                    decided.push(Decided {
                        destination,
                        runs: Vec::new(),
                        failure: Some(stop),
                    });
                    continue;
                }
            }
            let mut runs = Vec::new();
            let lists = [
                (RunKind::Delete, delete.then(|| plan.delete_list())),
                (RunKind::Overwrite, overwrite.then(|| plan.modified_list())),
                (RunKind::Create, Some(plan.new_list(overwrite))),
            ];
            for (kind, list) in lists {
                if let Some(list) = list.filter(|l| !l.is_empty()) {
                    runs.push(self.prepare(destination, list, kind)?);
                }
            }
            decided.push(Decided {
                destination,
                runs,
                failure: None,
            });
        }
        if self.settings.verbose && decided.iter().any(|d| !d.runs.is_empty()) {
            for run in decided.iter().flat_map(|d| &d.runs) {
                let note = run
                    .command
                    .list_note()
                    .map(|note| match self.settings.dry_run {
                        true => format!("{note}; kept after this dry run, delete it when done"),
                        false => note,
                    });
                self.announce(&run.command, note);
            }
            if !self.settings.dry_run
                && prompter.is_interactive()
                && !prompter.confirm("Run these commands?", "")?
            {
                println!("{}: not changed", show::destinations_label(group));
                decided.iter_mut().for_each(|d| d.runs.clear());
            }
        }
        Ok(decided)
    }

    /// Prints the plan; a plan taller than the terminal goes through the pager, and its counts
    /// are printed again after it so that they are on screen at the question.
    fn present(&self, group: &[&Location], plan: &Plan) {
        let deleted_as = if self.settings.delete == DeletePolicy::Keep {
            DeletedAs::Kept
        } else {
            DeletedAs::ToDelete
        };
        let render = |detail| show::plan(group, plan, self.settings.hide_dirs, deleted_as, detail);
        if pager::show(&render(Detail::Entries), self.settings.pager.as_deref()) {
            print!("{}", render(Detail::Counts));
        }
        for empty in group
            .iter()
            .filter(|d| d.role() == Role::Backup && d.is_empty())
        {
            match group {
                [_] => println!("  {}", show::EMPTY_BACKUP),
                _ => println!("  {} {empty}: {}", empty.role(), show::EMPTY_BACKUP),
            }
        }
        for message in &plan.messages {
            println!("  rsync: {message}");
        }
    }

    /// Whether modified entries are overwritten: `-m`, `-k`, or the answer.
    fn ask_overwrite(&self, place: &str, plan: &Plan, prompter: &Prompter) -> Result<bool> {
        let count = plan.totals(Change::Modified).count;
        if count == 0 || self.settings.action == Action::Tree {
            return Ok(false);
        }
        match self.settings.modified {
            ModifiedPolicy::Overwrite => Ok(true),
            ModifiedPolicy::Keep => Ok(false),
            ModifiedPolicy::Ask if self.settings.dry_run => Ok(false),
            ModifiedPolicy::Ask => prompter.confirm(
                &format!(
                    "Overwrite {} {place}?",
                    show::plural(count, "modified entry", "modified entries")
                ),
                "-m (overwrite) or -k (keep)",
            ),
        }
    }

    /// Whether entries only at the destination are deleted: `-D`, or `-d` and the answer.
    fn ask_delete(&self, place: &str, plan: &Plan, prompter: &Prompter) -> Result<bool> {
        let count = plan.totals(Change::Deleted).count;
        if count == 0 || !self.plans_deletions() {
            return Ok(false);
        }
        match self.settings.delete {
            DeletePolicy::Keep => Ok(false),
            DeletePolicy::Delete => Ok(true),
            DeletePolicy::Ask if self.settings.dry_run => Ok(false),
            DeletePolicy::Ask => prompter.confirm(
                &format!(
                    "Delete {} found only {place}?",
                    show::plural(count, "entry", "entries")
                ),
                "-D (delete without asking)",
            ),
        }
    }

    /// Writes the list file and builds the command that runs exactly that list.
    fn prepare(&self, destination: &Location, list: List, kind: RunKind) -> Result<Run> {
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

    /// `-v`: the exact command, before it runs.
    fn announce(&self, command: &RsyncCommand, note: Option<String>) {
        if self.settings.verbose {
            match note {
                Some(note) => println!("$ {command}\n  {note}"),
                None => println!("$ {command}"),
            }
        }
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
                lists: runs.into_iter().map(|run| run.list).collect(),
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

/// "in BACKUP /a", or "in each of the 2 destinations above" for a shared plan.
fn place(group: &[&Location]) -> String {
    match group {
        [one] => format!("in {} {one}", one.role()),
        _ => format!("in each of the {} destinations above", group.len()),
    }
}

/// Without a terminal, a question is noted and treated as "no" so that the others can be
/// collected; the run then stops before anything changes.
fn defer(error: Error, unasked: &mut Vec<Unasked>) -> Result<bool> {
    match error {
        Error::NoTerminal(mut questions) => {
            unasked.append(&mut questions);
            Ok(false)
        }
        other => Err(other),
    }
}

fn ensure_not_interrupted() -> Result<()> {
    if signals::is_interrupted() {
        Err(Error::Interrupted)
    } else {
        Ok(())
    }
}
