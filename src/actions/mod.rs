//! The four actions: choose source and destinations, then plan -> ask -> run at each
//! destination, and report.

mod endpoints;
mod execute;
mod record;
mod sync;

use std::path::{Path, PathBuf};

use crate::config::Configuration;
use crate::error::{Error, Result, Status};
use crate::location::{Location, Role};
use crate::lock;
use crate::prompt::Prompter;
use crate::resolve::{self, Target};
use crate::settings::{Action, DeletePolicy, Settings};
use crate::show;

pub(crate) use sync::Job;

/// Runs the action of `settings` with the loaded configurations and the rsync at `rsync`.
pub(crate) fn run(settings: &Settings, configs: &[Configuration], rsync: &Path) -> Result<Status> {
    let prompter = Prompter::new(settings.interactive);
    let targets = resolve::targets(configs, &settings.paths)?;
    let target = endpoints::choose_target(targets, settings, configs, &prompter)?;
    let ends = endpoints::choose(&target, settings, &prompter)?;
    for skipped in &ends.skipped {
        println!(
            "{} {skipped}: skipped, not accessible (not mounted?)",
            skipped.role()
        );
    }
    if ends.source.role() == Role::Backup && ends.source.is_empty() {
        println!(
            "{} {} (the source): {}",
            ends.source.role(),
            ends.source,
            show::EMPTY_BACKUP
        );
    }
    let rels = paths_to_sync(&target, ends.source, settings)?;
    if rels.is_empty() {
        println!("Nothing to do.");
        return Ok(Status::Success);
    }
    let _locks = if settings.dry_run {
        lock::Locks::default()
    } else {
        lock::for_run(ends.source, &ends.destinations, settings.wait)?
    };
    let job = sync::Job {
        settings,
        config: target.config,
        source: ends.source,
        rels: &rels,
        rsync,
    };
    let planned = job.plan_all(&ends.destinations)?;
    let decided = job.decide_all(planned, &prompter)?;
    if settings.dry_run {
        println!("Dry run: nothing was changed.");
        return Ok(Status::Success);
    }
    let results = job.execute_all(decided)?;
    record::write(&job, &results, &ends.skipped);
    Ok(report(&results, &ends.skipped))
}

/// The relative paths to synchronise. Each must exist where it was given or in the source.
/// A path only the destination has is kept when the action can delete it (it is planned as a
/// deletion) and dropped with a note otherwise.
fn paths_to_sync(
    target: &Target<'_>,
    source: &Location,
    settings: &Settings,
) -> Result<Vec<PathBuf>> {
    let mut rels = Vec::new();
    for (rel, given) in target.rels.iter().zip(given_for(target, settings)) {
        let in_source = resolve::exists_in(source, rel);
        let in_origin = resolve::exists_in(target.origin, rel);
        if in_source {
            rels.push(rel.clone());
        } else if !in_origin {
            return Err(Error::Failed(format!(
                "{given}: no such file or directory, neither there nor in the source {} {source}",
                source.role()
            )));
        } else if can_delete(settings) {
            rels.push(rel.clone());
        } else {
            println!(
                "{given}: not in the source {} {source}; nothing to copy",
                source.role()
            );
        }
    }
    Ok(rels)
}

/// The user's spelling of each relative path, for messages (`rels` is minimal, so match by
/// resolving again).
fn given_for<'a>(
    target: &'a Target<'_>,
    settings: &'a Settings,
) -> impl Iterator<Item = String> + 'a {
    target.rels.iter().map(move |rel| {
        settings
            .paths
            .iter()
            .find(|p| target.origin.relative(&p.lexical, &p.real).as_deref() == Some(rel.as_path()))
            .map(resolve::quoted)
            .unwrap_or_else(|| format!("\"{}\"", target.origin.local_path(rel).display()))
    })
}

fn can_delete(settings: &Settings) -> bool {
    matches!(settings.action, Action::Work | Action::Transfer)
        && settings.delete != DeletePolicy::Keep
}

/// Prints the closing lines and picks the exit status from the destinations' results.
fn report(results: &[execute::Outcome<'_>], skipped: &[&Location]) -> Status {
    let failed: Vec<String> = results
        .iter()
        .filter(|r| r.failed)
        .map(|r| r.destination.to_string())
        .collect();
    if !skipped.is_empty() {
        let names: Vec<String> = skipped.iter().map(ToString::to_string).collect();
        println!("Skipped (not accessible): {}", names.join(", "));
    }
    if failed.is_empty() {
        Status::Success
    } else {
        eprintln!(
            "micsync: {} failed: {}",
            show::plural(failed.len(), "destination", "destinations"),
            failed.join(", ")
        );
        Status::Failure
    }
}
