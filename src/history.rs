//! The history of runs that changed something: one JSON line per run, appended to
//! `history.jsonl` in micsync's XDG state directory. The file is rotated when it passes 1 MiB
//! (one older file, `history.jsonl.1`, is kept), and it is read back line by line, so that a
//! corrupt line costs only itself.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::clock;
use crate::error::{Result, Status};
use crate::list;
use crate::settings::Settings;
use crate::show;

/// At most this many overwritten and this many deleted names are kept per destination, so that
/// one run cannot write a giant line; `paths_left_out` counts the rest.
pub(crate) const MAX_NAMES: usize = 1000;

/// The size past which the file is rotated before the next line is appended.
const ROTATE_AT: u64 = 1 << 20;

/// One run that changed something.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Record {
    /// When the transfers ended, UTC (`2026-05-01T12:00:03Z`).
    pub(crate) time: String,
    /// `backup`, `work`, `transfer` or `tree`.
    pub(crate) action: String,
    pub(crate) config: String,
    /// The source location.
    pub(crate) source: String,
    /// The paths synchronised, relative to the locations; `""` is a location's root.
    #[serde(default)]
    pub(crate) paths: Vec<String>,
    pub(crate) destinations: Vec<DestinationRecord>,
    /// Destinations left out because they were not accessible.
    #[serde(default)]
    pub(crate) skipped: Vec<String>,
}

/// What one run did at one destination.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct DestinationRecord {
    pub(crate) path: String,
    pub(crate) status: RunStatus,
    pub(crate) new: usize,
    pub(crate) modified: usize,
    pub(crate) deleted: usize,
    /// Data sent.
    pub(crate) bytes: u64,
    /// Entries whose previous contents were overwritten, escaped as plans show them.
    #[serde(default)]
    pub(crate) overwritten_paths: Vec<String>,
    /// Entries deleted, escaped as plans show them.
    #[serde(default)]
    pub(crate) deleted_paths: Vec<String>,
    /// Names beyond `MAX_NAMES` in either list, not stored.
    #[serde(default)]
    pub(crate) paths_left_out: usize,
}

/// How a destination's transfers ended. For `failed`, the counts are what was approved, and
/// not all of it may have happened.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum RunStatus {
    #[default]
    Ok,
    Failed,
}

/// The records that could be read, oldest first, and how many lines could not.
#[derive(Debug, Default)]
pub(crate) struct History {
    pub(crate) records: Vec<Record>,
    pub(crate) unreadable: usize,
}

/// Appends `record` as one line, with one write, rotating the file first when it is large.
pub(crate) fn append(file: &Path, record: &Record) -> io::Result<()> {
    if let Some(dir) = file.parent() {
        fs::create_dir_all(dir)?;
    }
    if fs::metadata(file).is_ok_and(|m| m.len() >= ROTATE_AT) {
        fs::rename(file, older(file))?;
    }
    let mut line = serde_json::to_vec(record)?;
    line.push(b'\n');
    // O_APPEND: concurrent runs append whole lines instead of overwriting each other. The file
    // names what was changed, so it is private.
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(file)?
        .write_all(&line)
}

/// `history.jsonl.1`
fn older(file: &Path) -> PathBuf {
    let mut name = OsString::from(file.as_os_str());
    name.push(".1");
    PathBuf::from(name)
}

/// Reads the rotated file and the current one. Missing files are an empty history.
pub(crate) fn read(file: &Path) -> io::Result<History> {
    let mut history = History::default();
    for path in [older(file), file.to_path_buf()] {
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            match serde_json::from_slice(line) {
                Ok(record) => history.records.push(record),
                Err(_) => history.unreadable += 1,
            }
        }
    }
    Ok(history)
}

/// Reads the history for a report, warning about what cannot be read instead of failing.
pub(crate) fn read_or_warn(file: &Path) -> History {
    match read(file) {
        Ok(history) => {
            warn_unreadable(&history, file);
            history
        }
        Err(e) => {
            eprintln!(
                "micsync: warning: cannot read the history {}: {e}",
                file.display()
            );
            History::default()
        }
    }
}

fn warn_unreadable(history: &History, file: &Path) {
    if history.unreadable > 0 {
        eprintln!(
            "micsync: warning: {} in {} could not be read and {} left out",
            show::plural(history.unreadable, "line", "lines"),
            file.display(),
            if history.unreadable == 1 {
                "was"
            } else {
                "were"
            }
        );
    }
}

impl History {
    /// For each destination path, the time of the last `--backup` that ended well there.
    pub(crate) fn last_backups(&self) -> HashMap<&str, &str> {
        let mut last = HashMap::new();
        for record in self.records.iter().filter(|r| r.action == "backup") {
            for destination in &record.destinations {
                if destination.status == RunStatus::Ok {
                    last.insert(destination.path.as_str(), record.time.as_str());
                }
            }
        }
        last
    }
}

/// `--history N`: the last N records, readable or as a JSON array.
pub(crate) fn show(settings: &Settings, count: usize) -> Result<Status> {
    let history = read_or_warn(&settings.history_file);
    let skip = history.records.len().saturating_sub(count);
    let records = &history.records[skip..];
    if settings.json {
        println!("{}", list::to_json(&records));
    } else if records.is_empty() {
        println!(
            "No run has been recorded in {} yet.",
            settings.history_file.display()
        );
    } else {
        for record in records {
            print!("{}", render(record));
        }
    }
    Ok(Status::Success)
}

/// How many names of each list `--history` prints before "and N more".
const SHOWN_NAMES: usize = 10;

fn render(record: &Record) -> String {
    let mut out = format!(
        "{}  --{} \"{}\" from {}\n",
        clock::readable(&record.time),
        record.action,
        record.config,
        record.source
    );
    if record.paths.iter().any(|p| !p.is_empty()) {
        let _ = writeln!(out, "  paths: {}", record.paths.join(", "));
    }
    for d in &record.destinations {
        let status = match d.status {
            RunStatus::Ok => "done",
            RunStatus::Failed => "FAILED",
        };
        let _ = writeln!(
            out,
            "  {}: {status}: {} new, {} modified, {} deleted, {}",
            d.path,
            d.new,
            d.modified,
            d.deleted,
            show::human_bytes(d.bytes)
        );
        names(&mut out, "overwritten", '~', &d.overwritten_paths);
        names(&mut out, "deleted", '-', &d.deleted_paths);
        if d.paths_left_out > 0 {
            let _ = writeln!(out, "    ({} more not recorded)", d.paths_left_out);
        }
    }
    if !record.skipped.is_empty() {
        let _ = writeln!(
            out,
            "  skipped (not accessible): {}",
            record.skipped.join(", ")
        );
    }
    out
}

fn names(out: &mut String, title: &str, mark: char, names: &[String]) {
    if names.is_empty() {
        return;
    }
    let _ = writeln!(out, "    {title}:");
    for name in names.iter().take(SHOWN_NAMES) {
        let _ = writeln!(out, "      {mark} {name}");
    }
    if names.len() > SHOWN_NAMES {
        let _ = writeln!(out, "      and {} more", names.len() - SHOWN_NAMES);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(time: &str, action: &str, path: &str, status: RunStatus) -> Record {
        Record {
            time: time.into(),
            action: action.into(),
            config: "d".into(),
            source: "/w".into(),
            paths: vec![String::new()],
            destinations: vec![DestinationRecord {
                path: path.into(),
                status,
                new: 1,
                ..DestinationRecord::default()
            }],
            skipped: Vec::new(),
        }
    }

    #[test]
    fn lines_are_appended_rotated_and_read_past_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("state/micsync/history.jsonl");
        append(&file, &record("t1", "backup", "/b", RunStatus::Ok)).unwrap();
        fs::OpenOptions::new()
            .append(true)
            .open(&file)
            .unwrap()
            .write_all(b"{\"time\": broken\n")
            .unwrap();
        append(&file, &record("t2", "backup", "/b", RunStatus::Failed)).unwrap();
        let history = read(&file).unwrap();
        assert_eq!((history.records.len(), history.unreadable), (2, 1));
        assert_eq!(history.last_backups().get("/b"), Some(&"t1"));

        fs::write(&file, vec![b'\n'; ROTATE_AT as usize]).unwrap();
        append(&file, &record("t3", "work", "/w2", RunStatus::Ok)).unwrap();
        assert!(older(&file).exists());
        let history = read(&file).unwrap();
        assert_eq!(history.records.len(), 1);
        assert!(history.last_backups().is_empty(), "--work is not a backup");
    }
}
