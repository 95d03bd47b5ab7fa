//! One action's work at its destinations: one dry run each to plan, every question before any
//! transfer, then rsync on exactly the approved entries (rsync-notes.md §4).

use std::ffi::OsString;
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
    command: RsyncCommand,
    list: List,
    _file: NamedTempFile,
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
            .args(self.filter_args())
            .arg("--relative")
            .args(self.rels.iter().map(|rel| self.source.rsync_relative(rel)))
            .arg(destination.rsync_root())
    }

    /// `--work` and `--transfer` plan deletions always: without `-d` they are shown as kept.
    fn plans_deletions(&self) -> bool {
        matches!(self.settings.action, Action::Work | Action::Transfer)
    }

    /// The configuration's excludes, `.micsyncignore` files, and for `--tree` directories only.
    fn filter_args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = self
            .config
            .exclude
            .iter()
            .map(|p| OsString::from(format!("--exclude={p}")))
            .collect();
        args.push(format!("--filter=dir-merge {IGNORE_FILE}").into());
        args.push(format!("--filter=-p {}/", guard::PARTIAL_DIR).into());
        if self.settings.action == Action::Tree {
            args.extend(["--include=*/".into(), "--exclude=*".into()]);
        }
        args
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
            let delete_list = if delete {
                plan.delete_list()
            } else {
                List::default()
            };
            for (list, deleting) in [(delete_list, true), (plan.copy_list(overwrite), false)] {
                if !list.is_empty() {
                    runs.push(self.prepare(destination, list, deleting)?);
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
                self.announce(&run.command, run.command.list_note());
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
    fn prepare(&self, destination: &Location, list: List, deleting: bool) -> Result<Run> {
        let mut file = tempfile::Builder::new()
            .prefix("micsync-list-")
            .tempfile()
            .and_then(|mut f| f.write_all(&list.bytes).and(f.flush()).map(|_| f))
            .map_err(|e| Error::Failed(format!("cannot write the list of entries: {e}")))?;
        let _ = file.as_file_mut().sync_data();
        let deletions = deleting.then_some(list.deleted);
        let command = self.transfer_command(destination, file.path(), deletions);
        Ok(Run {
            command,
            list,
            _file: file,
        })
    }

    /// Runs the entries of a list file. rsync writes each file under a temporary name and
    /// renames it when complete; an interrupted file is kept in `.micsync-partial` beside it
    /// (never under its final name, and out of every plan) and resumed by the next run
    /// (rsync-notes.md §9). A deletion run (`deletions` planned) also refuses to
    /// create or update anything (`--existing --ignore-existing`), so an entry that reappeared in
    /// the source since the plan is left alone, and stops past the planned number of deletions
    /// (`--max-delete`), so entries that appeared below a deleted folder since the plan are not
    /// all lost; a copy run has no `--delete-missing-args`, so an entry that vanished from the
    /// source is never deleted at the destination.
    pub(crate) fn transfer_command(
        &self,
        destination: &Location,
        list: &Path,
        deletions: Option<usize>,
    ) -> RsyncCommand {
        let command = RsyncCommand::new(self.rsync)
            .arg("--archive")
            .files_from(list)
            .args(["--no-implied-dirs", "--force", "--out-format=%i %l %n"])
            .arg(format!("--partial-dir={}", guard::PARTIAL_DIR));
        let command = match deletions {
            Some(count) => command
                .args(["--delete-missing-args", "--existing", "--ignore-existing"])
                .arg(format!("--max-delete={count}")),
            None if self.settings.progress => command.args(progress::RSYNC_ARGS),
            None => command,
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
                    if finished.vanished {
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
