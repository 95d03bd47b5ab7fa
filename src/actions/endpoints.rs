//! Choosing the configuration, the source and the destinations of an action, as SPEC.md's
//! action table says, asking (or taking `--config-name`, `--from`, `--to`) where it is a choice.

use crate::config::Configuration;
use crate::error::{Error, Result};
use crate::location::{Location, Role};
use crate::prompt::Prompter;
use crate::resolve::{self, Target};
use crate::settings::{Action, Settings, UserPath};

/// Where an action copies from and to.
#[derive(Debug)]
pub(crate) struct Endpoints<'c> {
    pub(crate) source: &'c Location,
    /// Accessible destinations, in configuration order.
    pub(crate) destinations: Vec<&'c Location>,
    /// Destinations left out because they are not accessible.
    pub(crate) skipped: Vec<&'c Location>,
}

/// Picks one of the targets that hold the paths: the only one, `--config-name`, or asked.
pub(crate) fn choose_target<'c>(
    targets: Vec<Target<'c>>,
    settings: &Settings,
    configs: &[Configuration],
    prompter: &Prompter,
) -> Result<Target<'c>> {
    if let Some(name) = &settings.config_name {
        if !configs.iter().any(|c| &c.name == name) {
            let names: Vec<&str> = configs.iter().map(|c| c.name.as_str()).collect();
            return Err(Error::Usage(format!(
                "--config-name \"{name}\": no such configuration; there are: {}",
                names.join(", ")
            )));
        }
        return targets
            .into_iter()
            .find(|t| &t.config.name == name)
            .ok_or_else(|| {
                Error::Failed(format!(
                    "configuration \"{name}\" has no location that holds the given paths"
                ))
            });
    }
    if targets.len() == 1 {
        return Ok(targets.into_iter().next().expect("one target"));
    }
    let items: Vec<String> = targets
        .iter()
        .map(|t| resolve::describe(t.config, t.origin))
        .collect();
    let index = prompter.choose(
        "The paths are in several configurations. Which one?",
        &items,
        "--config-name NAME",
    )?;
    Ok(targets
        .into_iter()
        .nth(index)
        .expect("chosen index is in range"))
}

/// Chooses source and destinations for `action` in the target's configuration.
pub(crate) fn choose<'c>(
    target: &Target<'c>,
    settings: &Settings,
    prompter: &Prompter,
) -> Result<Endpoints<'c>> {
    let config = target.config;
    let origin = target.origin;
    let picker = Picker {
        config,
        settings,
        prompter,
    };
    match settings.action {
        Action::Backup => {
            let source = picker.source(origin, Role::Work)?;
            let (destinations, skipped) = picker.all_backups(source)?;
            Ok(Endpoints {
                source,
                destinations,
                skipped,
            })
        }
        Action::Work | Action::Tree => {
            let source = picker.source(origin, Role::Backup)?;
            let destination = picker.one_destination(origin, Role::Work)?;
            Ok(Endpoints {
                source,
                destinations: vec![destination],
                skipped: Vec::new(),
            })
        }
        Action::Transfer => {
            let source = picker.source(origin, Role::Backup)?;
            let destinations = picker.other_backups(source)?;
            Ok(Endpoints {
                source,
                destinations,
                skipped: Vec::new(),
            })
        }
    }
}

struct Picker<'a, 'c> {
    config: &'c Configuration,
    settings: &'a Settings,
    prompter: &'a Prompter,
}

impl<'c> Picker<'_, 'c> {
    /// The source: the location holding the paths when it has the source's role, else one of the
    /// accessible locations of that role.
    fn source(&self, origin: &'c Location, role: Role) -> Result<&'c Location> {
        let from = self.flag_location(self.settings.from.as_ref(), "--from")?;
        if origin.role() == role {
            if let Some(from) = from.filter(|f| !std::ptr::eq(*f, origin)) {
                return Err(Error::Usage(format!(
                    "--from {from}: the paths are in {} {origin}, which is the source of {}",
                    role,
                    self.settings.action.flag()
                )));
            }
            return ensure_accessible(origin, "source");
        }
        self.pick(role, from, "Which source?", "--from LOCATION")
    }

    /// The single destination of `--work` and `--tree`.
    fn one_destination(&self, origin: &'c Location, role: Role) -> Result<&'c Location> {
        if self.settings.to.len() > 1 {
            return Err(Error::Usage(format!(
                "{} takes one --to",
                self.settings.action.flag()
            )));
        }
        let to = self.flag_location(self.settings.to.first(), "--to")?;
        if origin.role() == role {
            if let Some(to) = to.filter(|t| !std::ptr::eq(*t, origin)) {
                return Err(Error::Usage(format!(
                    "--to {to}: the paths are in {role} {origin}, which is the destination"
                )));
            }
            return ensure_accessible(origin, "destination");
        }
        self.pick(role, to, "Which destination?", "--to LOCATION")
    }

    /// `--backup`: every accessible BACKUP (or those named by `--to`); the others are skipped.
    fn all_backups(&self, source: &'c Location) -> Result<(Vec<&'c Location>, Vec<&'c Location>)> {
        let wanted = self.flag_locations(Role::Backup)?;
        let all: Vec<&'c Location> = match wanted {
            Some(named) => named,
            None => self
                .config
                .backup
                .iter()
                .filter(|l| !std::ptr::eq(*l, source))
                .collect(),
        };
        let (destinations, skipped): (Vec<_>, Vec<_>) =
            all.into_iter().partition(|l| l.is_accessible());
        if destinations.is_empty() {
            return Err(Error::Failed(format!(
                "no BACKUP of \"{}\" is accessible (not mounted?): {}",
                self.config.name,
                skipped
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        Ok((destinations, skipped))
    }

    /// `--transfer`: the BACKUPs other than the source named by `--to`, the only other one, or
    /// those chosen from a menu.
    fn other_backups(&self, source: &'c Location) -> Result<Vec<&'c Location>> {
        if let Some(named) = self.flag_locations(Role::Backup)? {
            if let Some(same) = named.iter().find(|l| std::ptr::eq(**l, source)) {
                return Err(Error::Usage(format!(
                    "--to {same} is the source of --transfer"
                )));
            }
            return named
                .into_iter()
                .map(|l| ensure_accessible(l, "destination"))
                .collect();
        }
        let others: Vec<&'c Location> = self
            .config
            .backup
            .iter()
            .filter(|l| !std::ptr::eq(*l, source) && l.is_accessible())
            .collect();
        match others.len() {
            0 => Err(Error::Failed(format!(
                "no other BACKUP of \"{}\" than {source} is accessible (not mounted?)",
                self.config.name
            ))),
            1 => Ok(others),
            n => {
                let mut items: Vec<String> = others.iter().map(|l| format!("BACKUP {l}")).collect();
                items.push(format!("all {n} of them"));
                let index =
                    self.prompter
                        .choose("Transfer to which BACKUP?", &items, "--to LOCATION")?;
                Ok(if index == n {
                    others
                } else {
                    vec![others[index]]
                })
            }
        }
    }

    fn pick(
        &self,
        role: Role,
        named: Option<&'c Location>,
        question: &str,
        answer_with: &str,
    ) -> Result<&'c Location> {
        if let Some(location) = named {
            if location.role() != role {
                return Err(Error::Usage(format!(
                    "{answer_with}: {location} is not a {role} location"
                )));
            }
            return ensure_accessible(location, "chosen location");
        }
        let candidates: Vec<&'c Location> = self
            .config
            .of_role(role)
            .iter()
            .filter(|l| l.is_accessible())
            .collect();
        match candidates.len() {
            0 => Err(Error::Failed(format!(
                "no {role} location of \"{}\" is accessible (not mounted?)",
                self.config.name
            ))),
            1 => Ok(candidates[0]),
            _ => {
                let items: Vec<String> = candidates.iter().map(|l| format!("{role} {l}")).collect();
                let index = self.prompter.choose(question, &items, answer_with)?;
                Ok(candidates[index])
            }
        }
    }

    fn flag_location(&self, path: Option<&UserPath>, flag: &str) -> Result<Option<&'c Location>> {
        path.map(|p| resolve::location_at(self.config, p, flag))
            .transpose()
    }

    fn flag_locations(&self, role: Role) -> Result<Option<Vec<&'c Location>>> {
        if self.settings.to.is_empty() {
            return Ok(None);
        }
        let mut out = Vec::new();
        for path in &self.settings.to {
            let location = resolve::location_at(self.config, path, "--to")?;
            if location.role() != role {
                return Err(Error::Usage(format!(
                    "--to {location} is not a {role} location"
                )));
            }
            out.push(location);
        }
        Ok(Some(out))
    }
}

fn ensure_accessible<'c>(location: &'c Location, what: &str) -> Result<&'c Location> {
    if location.is_accessible() {
        Ok(location)
    } else {
        Err(Error::Failed(format!(
            "the {what}, {} {location}, is not accessible (not mounted?)",
            location.role()
        )))
    }
}
