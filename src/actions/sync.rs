//! One action's work at its destinations: one dry run each to plan, then every question before
//! any transfer. `execute` runs what was approved.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::actions::execute::{Run, RunKind};
use crate::config::Configuration;
use crate::error::{Error, Result, Unasked};
use crate::guard;
use crate::itemize::FileType;
use crate::location::{Location, Role};
use crate::pager;
use crate::plan::{Change, Destination, List, Plan, PlanBuilder};
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
    pub(super) destination: &'c Location,
    pub(super) runs: Vec<Run>,
    /// Why the destination will not be changed, when it is a failure.
    pub(super) failure: Option<String>,
}

/// Probes a local destination with `lstat`.
struct Local<'a>(&'a Location);

impl Destination for Local<'_> {
    fn probe(&self, rel: &[u8]) -> Option<(FileType, u64)> {
        let meta = self
            .0
            .local_path(Path::new(OsStr::from_bytes(rel)))
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
        let requested: Vec<&Path> = self.rels.iter().map(PathBuf::as_path).collect();
        for &destination in destinations {
            let command = self.plan_command(destination);
            self.announce(&command, None);
            let local = Local(destination);
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
        // Ignore files are never deleted: deleting one would expose what it protects.
        let mut args: Vec<OsString> = vec![format!("--filter=protect {IGNORE_FILE}").into()];
        args.extend(
            self.config
                .exclude
                .iter()
                .map(|p| OsString::from(format!("--exclude={p}"))),
        );
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
        let lists = self.approved_lists(plan, overwrite, delete);
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
            let runs = lists
                .iter()
                .map(|(kind, list)| self.prepare(destination, list.clone(), *kind))
                .collect::<Result<_>>()?;
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

    /// The lists that carry out what was approved, in the order they run, empty ones left out.
    /// With -m every overwrite is approved in advance, so one list copies the modified and the
    /// new entries; an answer at the terminal approved only the entries shown, so the new ones
    /// then run apart, never overwriting what appeared since.
    fn approved_lists(&self, plan: &Plan, overwrite: bool, delete: bool) -> Vec<(RunKind, List)> {
        let mut lists = Vec::new();
        if delete {
            lists.push((RunKind::Delete, plan.delete_list()));
        }
        if overwrite && self.settings.modified == ModifiedPolicy::Overwrite {
            lists.push((RunKind::Overwrite, plan.modified_and_new_list()));
        } else {
            if overwrite {
                lists.push((RunKind::Overwrite, plan.modified_list()));
            }
            lists.push((RunKind::Create, plan.new_list(overwrite)));
        }
        lists.retain(|(_, list)| !list.is_empty());
        lists
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

    /// `-v`: the exact command, before it runs.
    fn announce(&self, command: &RsyncCommand, note: Option<String>) {
        if self.settings.verbose {
            match note {
                Some(note) => println!("$ {command}\n  {note}"),
                None => println!("$ {command}"),
            }
        }
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

pub(super) fn ensure_not_interrupted() -> Result<()> {
    if signals::is_interrupted() {
        Err(Error::Interrupted)
    } else {
        Ok(())
    }
}
