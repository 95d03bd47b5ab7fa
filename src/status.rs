//! `--status`: for every configuration (or those holding the given paths), each location with
//! whether it is accessible and, for each accessible BACKUP against each accessible WORKING,
//! what WORKING holds that the BACKUP lacks. One dry run per pair, the plan of a `--transfer`
//! from WORKING (so entries only in the BACKUP are seen too); nothing is changed.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use console::style;
use serde::Serialize;

use crate::actions::Job;
use crate::clock;
use crate::config::Configuration;
use crate::error::{Error, Result, Status};
use crate::history;
use crate::list::{self, LocationReport};
use crate::location::Location;
use crate::plan::{Change, Plan, Totals};
use crate::resolve;
use crate::settings::{Action, Settings};
use crate::show;

/// Everything `--status` found; `--json` prints it as it is.
#[derive(Debug, Serialize)]
struct Report {
    /// Whether every compared BACKUP is up to date (the exit status is 0).
    up_to_date: bool,
    configs: Vec<ConfigStatus>,
}

#[derive(Debug, Serialize)]
struct ConfigStatus {
    name: String,
    locations: Vec<LocationReport>,
    /// One per pair of an accessible WORKING and an accessible BACKUP.
    comparisons: Vec<Comparison>,
}

/// A BACKUP compared with a WORKING, under the given paths.
#[derive(Debug, Serialize)]
struct Comparison {
    work: String,
    backup: String,
    /// Nothing new or modified in WORKING (entries only in the BACKUP do not count).
    up_to_date: bool,
    /// In WORKING, not in the BACKUP: not backed up yet.
    new: Count,
    /// In both, with other contents.
    modified: Count,
    /// Only in the BACKUP.
    only_in_backup: Count,
    /// Why the pair could not be compared (then the counts are 0).
    error: Option<String>,
}

#[derive(Debug, Default, Serialize)]
struct Count {
    entries: usize,
    bytes: u64,
}

impl From<Totals> for Count {
    fn from(totals: Totals) -> Self {
        Count {
            entries: totals.count,
            bytes: totals.bytes,
        }
    }
}

/// Compares, prints the table or the JSON, and returns 0, 4 (some BACKUP behind) or 1.
pub(crate) fn run(settings: &Settings, configs: &[Configuration], rsync: &Path) -> Result<Status> {
    let scope = scope(settings, configs)?;
    let history = history::read_or_warn(&settings.history_file);
    let last_backups = history.last_backups();
    // A dry --transfer from WORKING plans deletions, so entries only in the BACKUP are counted.
    let compare = Settings {
        action: Action::Transfer,
        verbose: false,
        ..settings.clone()
    };
    let mut report = Report {
        up_to_date: true,
        configs: Vec::with_capacity(scope.len()),
    };
    for (config, rels) in scope {
        let job = Job {
            settings: &compare,
            config,
            source: config
                .locations()
                .next()
                .expect("a configuration has locations"),
            rels: &rels,
            rsync,
        };
        report.configs.push(check(job, &last_backups)?);
    }
    let status = status_of(&report);
    report.up_to_date = status == Status::Success;
    if settings.json {
        println!("{}", list::to_json(&report));
    } else {
        print!("{}", table(&report));
    }
    if report.configs.iter().all(|c| c.comparisons.is_empty()) {
        eprintln!(
            "micsync: nothing could be compared: no accessible BACKUP has an accessible WORKING"
        );
    }
    Ok(status)
}

/// The configurations to report on, each with the relative paths to compare (`""`: all).
fn scope<'c>(
    settings: &Settings,
    configs: &'c [Configuration],
) -> Result<Vec<(&'c Configuration, Vec<PathBuf>)>> {
    let selected = list::select(configs, settings.config_name.as_deref())?;
    if settings.paths.is_empty() {
        return Ok(selected
            .into_iter()
            .map(|c| (c, vec![PathBuf::new()]))
            .collect());
    }
    let scope: Vec<_> = resolve::targets(configs, &settings.paths)?
        .into_iter()
        .filter(|t| selected.iter().any(|c| std::ptr::eq(*c, t.config)))
        .map(|t| (t.config, t.rels))
        .collect();
    if scope.is_empty() {
        return Err(Error::Failed(format!(
            "configuration \"{}\" has no location that holds the given paths",
            settings.config_name.as_deref().unwrap_or_default()
        )));
    }
    Ok(scope)
}

/// One configuration: every location, and a dry run per accessible (WORKING, BACKUP) pair.
fn check(mut job: Job<'_, '_>, last_backups: &HashMap<&str, &str>) -> Result<ConfigStatus> {
    let config = job.config;
    let accessible = |l: &&Location| l.is_accessible();
    let backups: Vec<&Location> = config.backup.iter().filter(accessible).collect();
    let mut comparisons = Vec::new();
    for work in config.work.iter().filter(accessible) {
        job.source = work;
        for planned in job.plan_all(&backups)? {
            comparisons.push(compare(work, planned.destination, planned.plan));
        }
    }
    Ok(ConfigStatus {
        name: config.name.clone(),
        locations: config
            .locations()
            .map(|l| LocationReport::new(l, last_backups))
            .collect(),
        comparisons,
    })
}

fn compare<E: std::fmt::Display>(
    work: &Location,
    backup: &Location,
    plan: std::result::Result<Plan, E>,
) -> Comparison {
    let mut comparison = Comparison {
        work: work.to_string(),
        backup: backup.to_string(),
        up_to_date: false,
        new: Count::default(),
        modified: Count::default(),
        only_in_backup: Count::default(),
        error: None,
    };
    match plan {
        Ok(plan) => {
            comparison.new = plan.totals(Change::New).into();
            comparison.modified = plan.totals(Change::Modified).into();
            comparison.only_in_backup = plan.totals(Change::Deleted).into();
            comparison.up_to_date = comparison.new.entries == 0 && comparison.modified.entries == 0;
        }
        Err(e) => comparison.error = Some(e.to_string()),
    }
    comparison
}

/// 1 when nothing could be compared or a comparison failed, else 4 when a BACKUP is behind.
fn status_of(report: &Report) -> Status {
    let comparisons: Vec<&Comparison> =
        report.configs.iter().flat_map(|c| &c.comparisons).collect();
    if comparisons.is_empty() || comparisons.iter().any(|c| c.error.is_some()) {
        Status::Failure
    } else if comparisons.iter().any(|c| !c.up_to_date) {
        Status::Behind
    } else {
        Status::Success
    }
}

fn table(report: &Report) -> String {
    let width = list::path_width(report.configs.iter().flat_map(|c| &c.locations));
    let now = clock::now();
    let mut out = String::new();
    for config in &report.configs {
        let _ = writeln!(out, "{}", style(&config.name).bold());
        for location in &config.locations {
            let against: Vec<&Comparison> = config
                .comparisons
                .iter()
                .filter(|c| location.role == "backup" && c.backup == location.path)
                .collect();
            let state = match against[..] {
                [] if location.role == "backup" => Some(style("no WORKING to compare".into())),
                [] => None,
                [one] => Some(summary(one)),
                _ => Some(style(format!("compared with {} WORKING", against.len()))),
            };
            let _ = writeln!(out, "{}", list::location_row(location, width, state, now));
            if against.len() > 1 {
                for c in against {
                    let _ = writeln!(out, "      vs {}: {}", c.work, summary(c));
                }
            }
        }
    }
    let _ = writeln!(
        out,
        "{}",
        match status_of(report) {
            Status::Success => "Every accessible BACKUP is up to date.",
            Status::Behind =>
                "Some accessible BACKUP is behind WORKING: micsync --backup copies it.",
            _ => "Not every BACKUP could be compared.",
        }
    );
    out
}

/// `up to date`, or `behind: 3 new (12 B), 1 modified (4 B)`, and `, 2 only here (5 B)`.
fn summary(c: &Comparison) -> console::StyledObject<String> {
    if let Some(error) = &c.error {
        return style(format!(
            "cannot compare: {}",
            error.lines().next().unwrap_or("")
        ))
        .red();
    }
    let only = if c.only_in_backup.entries > 0 {
        format!(", {}", counted(&c.only_in_backup, "only here"))
    } else {
        String::new()
    };
    if c.up_to_date {
        return style(format!("up to date{only}")).green();
    }
    let mut parts = Vec::new();
    for (count, label) in [(&c.new, "new"), (&c.modified, "modified")] {
        if count.entries > 0 {
            parts.push(counted(count, label));
        }
    }
    style(format!("behind: {}{only}", parts.join(", "))).yellow()
}

fn counted(count: &Count, label: &str) -> String {
    format!(
        "{} {label} ({})",
        count.entries,
        show::human_bytes(count.bytes)
    )
}
