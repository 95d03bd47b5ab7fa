//! `--list`: the configurations and their locations, accessible or not, without walking any
//! tree, so that it is fast enough for a shell prompt. `--status` builds on its location rows.

use std::collections::HashMap;
use std::fmt::Write as _;

use console::{StyledObject, style};
use serde::Serialize;

use crate::clock;
use crate::config::Configuration;
use crate::error::{Error, Result, Status};
use crate::history;
use crate::location::{Location, Role};
use crate::settings::Settings;

/// One location as `--list` and `--status` report it.
#[derive(Debug, Serialize)]
pub(crate) struct LocationReport {
    /// `"work"` or `"backup"`, as the configuration file names the lists.
    pub(crate) role: &'static str,
    pub(crate) path: String,
    pub(crate) accessible: bool,
    /// For a BACKUP, when it last received a successful `--backup` (from the history), UTC;
    /// `null` when the history has none, and always for a WORKING location.
    pub(crate) last_backup: Option<String>,
}

impl LocationReport {
    /// `last_backups` maps BACKUP paths to times (`History::last_backups`).
    pub(crate) fn new(location: &Location, last_backups: &HashMap<&str, &str>) -> Self {
        LocationReport {
            role: match location.role() {
                Role::Work => "work",
                Role::Backup => "backup",
            },
            path: location.to_string(),
            accessible: location.is_accessible(),
            last_backup: match location.role() {
                Role::Work => None,
                Role::Backup => last_backups
                    .get(location.to_string().as_str())
                    .map(|t| t.to_string()),
            },
        }
    }

    /// `WORKING` or `BACKUP`, for the table.
    pub(crate) fn role_label(&self) -> &'static str {
        if self.role == "work" {
            "WORKING"
        } else {
            "BACKUP"
        }
    }
}

#[derive(Debug, Serialize)]
struct ListedConfig {
    name: String,
    locations: Vec<LocationReport>,
}

#[derive(Debug, Serialize)]
struct Listing {
    configs: Vec<ListedConfig>,
}

/// Prints the configurations (all, or the one `--config-name` names) and their locations.
pub(crate) fn run(settings: &Settings, configs: &[Configuration]) -> Result<Status> {
    let history = history::read_or_warn(&settings.history_file);
    let last_backups = history.last_backups();
    let listing = Listing {
        configs: select(configs, settings.config_name.as_deref())?
            .into_iter()
            .map(|config| ListedConfig {
                name: config.name.clone(),
                locations: config
                    .locations()
                    .map(|l| LocationReport::new(l, &last_backups))
                    .collect(),
            })
            .collect(),
    };
    if settings.json {
        println!("{}", to_json(&listing));
    } else {
        print!("{}", table(&listing));
    }
    Ok(Status::Success)
}

/// Every configuration, or only the one named by `--config-name`.
pub(crate) fn select<'c>(
    configs: &'c [Configuration],
    name: Option<&str>,
) -> Result<Vec<&'c Configuration>> {
    let Some(name) = name else {
        return Ok(configs.iter().collect());
    };
    match configs.iter().find(|c| c.name == name) {
        Some(config) => Ok(vec![config]),
        None => {
            let names: Vec<&str> = configs.iter().map(|c| c.name.as_str()).collect();
            Err(Error::Usage(format!(
                "--config-name \"{name}\": no such configuration; there are: {}",
                names.join(", ")
            )))
        }
    }
}

/// Pretty JSON; serialising these plain structs cannot fail.
pub(crate) fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string_pretty(value).expect("reports serialise")
}

fn table(listing: &Listing) -> String {
    let width = path_width(listing.configs.iter().flat_map(|c| &c.locations));
    let now = clock::now();
    let mut out = String::new();
    for config in &listing.configs {
        let _ = writeln!(out, "{}", style(&config.name).bold());
        for location in &config.locations {
            let _ = writeln!(out, "{}", location_row(location, width, None, now));
        }
    }
    out
}

/// The width of the widest path, to align the table's columns.
pub(crate) fn path_width<'a>(locations: impl Iterator<Item = &'a LocationReport>) -> usize {
    locations.map(|l| l.path.chars().count()).max().unwrap_or(0)
}

/// The width of the state column, enough for "not accessible (not mounted?)".
const STATE_WIDTH: usize = 29;

/// `  BACKUP   /mnt/usb1/docs   accessible   last backup …`, with `state` in place of
/// "accessible" when given.
pub(crate) fn location_row(
    location: &LocationReport,
    width: usize,
    state: Option<StyledObject<String>>,
    now: i64,
) -> String {
    let state = match (location.accessible, state) {
        (false, _) => style("not accessible (not mounted?)".to_string()).red(),
        (true, Some(state)) => state,
        (true, None) => style("accessible".to_string()).green(),
    }
    .to_string();
    let row = format!(
        "  {:<8} {:<width$}  {state}",
        location.role_label(),
        location.path
    );
    match last_backup(location, now) {
        Some(last) => {
            let pad = STATE_WIDTH.saturating_sub(console::measure_text_width(&state));
            format!("{row}{:pad$}   {last}", "")
        }
        None => row,
    }
}

/// `last backup 2026-05-01 12:00:03 UTC (3 h ago)` for a BACKUP; nothing for a WORKING.
fn last_backup(location: &LocationReport, now: i64) -> Option<String> {
    if location.role == "work" {
        return None;
    }
    Some(match &location.last_backup {
        Some(time) => format!(
            "last backup {} ({})",
            clock::readable(time),
            clock::age(time, now).unwrap_or_default()
        ),
        None => "no backup recorded".to_string(),
    })
}
