//! After the transfers: one history line of what the run changed at each destination.

use std::os::unix::ffi::OsStrExt;

use crate::clock;
use crate::history::{self, DestinationRecord, MAX_NAMES, Record, RunStatus};
use crate::location::Location;
use crate::show;

use super::execute::{Outcome, RunKind};
use super::sync::Job;

/// Appends the run to the history when it changed (or tried to change) something. A failure to
/// write the history is a warning: the data is already where it belongs.
pub(super) fn write(job: &Job<'_, '_>, results: &[Outcome<'_>], skipped: &[&Location]) {
    if results
        .iter()
        .all(|o| o.lists.iter().all(|(_, list)| list.is_empty()))
    {
        return;
    }
    let record = Record {
        time: clock::format(clock::now()),
        action: job
            .settings
            .action
            .flag()
            .trim_start_matches('-')
            .to_string(),
        config: job.config.name.clone(),
        source: job.source.to_string(),
        paths: job
            .rels
            .iter()
            .map(|rel| show::escape(rel.as_os_str().as_bytes()))
            .collect(),
        destinations: results.iter().map(destination).collect(),
        skipped: skipped.iter().map(ToString::to_string).collect(),
    };
    let file = &job.settings.history_file;
    if let Err(e) = history::append(file, &record) {
        eprintln!(
            "micsync: warning: this run could not be recorded in {}: {e}",
            file.display()
        );
    }
}

fn destination(outcome: &Outcome<'_>) -> DestinationRecord {
    let mut record = DestinationRecord {
        path: outcome.destination.to_string(),
        status: if outcome.failed {
            RunStatus::Failed
        } else {
            RunStatus::Ok
        },
        ..DestinationRecord::default()
    };
    for (kind, list) in &outcome.lists {
        record.new += list.new;
        record.modified += list.modified;
        record.deleted += list.deleted;
        record.bytes += list.bytes_to_send;
        // A deletion list loses what it deletes; a copy list what it overwrites (an overwrite
        // list also counts as deleted the entries of the folders its files replace).
        let names = match kind {
            RunKind::Delete => &mut record.deleted_paths,
            RunKind::Overwrite | RunKind::Create => &mut record.overwritten_paths,
        };
        for name in list.lost.split(|&b| b == 0).filter(|n| !n.is_empty()) {
            if names.len() < MAX_NAMES {
                names.push(show::escape(name));
            } else {
                record.paths_left_out += 1;
            }
        }
    }
    record
}
