//! `--list`: the configurations and their locations, accessible or not, without walking any
//! tree, so that it is fast enough for a shell prompt. `--status` builds on its location rows.

use std::fmt::Write as _;

use console::style;
use serde::Serialize;

use crate::config::Configuration;
use crate::error::{Error, Result, Status};
use crate::location::{Location, Role};
use crate::settings::Settings;

/// One location as `--list` and `--status` report it.
#[derive(Debug, Serialize)]
pub(crate) struct LocationReport {
    /// `"work"` or `"backup"`, as the configuration file names the lists.
    pub(crate) role: &'static str,
    pub(crate) path: String,
    pub(crate) accessible: bool,
}

impl LocationReport {
    pub(crate) fn new(location: &Location) -> Self {
        LocationReport {
            role: match location.role() {
                Role::Work => "work",
                Role::Backup => "backup",
            },
            path: location.to_string(),
            accessible: location.is_accessible(),
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
    let listing = Listing {
        configs: select(configs, settings.config_name.as_deref())?
            .into_iter()
            .map(|config| ListedConfig {
                name: config.name.clone(),
                locations: config.locations().map(LocationReport::new).collect(),
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
    let mut out = String::new();
    for config in &listing.configs {
        let _ = writeln!(out, "{}", style(&config.name).bold());
        for location in &config.locations {
            let _ = writeln!(out, "{}", location_row(location, width, None));
        }
    }
    out
}

/// The width of the widest path, to align the table's columns.
pub(crate) fn path_width<'a>(locations: impl Iterator<Item = &'a LocationReport>) -> usize {
    locations.map(|l| l.path.chars().count()).max().unwrap_or(0)
}

/// `  BACKUP   /mnt/usb1/docs   accessible`, with `state` in place of "accessible" when given.
pub(crate) fn location_row(location: &LocationReport, width: usize, state: Option<&str>) -> String {
    let state = match (location.accessible, state) {
        (false, _) => style("not accessible (not mounted?)".to_string()).red(),
        (true, Some(state)) => style(state.to_string()),
        (true, None) => style("accessible".to_string()).green(),
    };
    format!(
        "  {:<8} {:<width$}  {state}",
        location.role_label(),
        location.path
    )
}
