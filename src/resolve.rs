//! User paths -> the configuration and location that hold them, and the paths relative to it.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::config::Configuration;
use crate::error::{Error, Result};
use crate::location::Location;
use crate::settings::UserPath;
use crate::show;

/// A location that holds every given path, with the paths relative to it.
#[derive(Debug, Clone)]
pub(crate) struct Target<'c> {
    pub(crate) config: &'c Configuration,
    /// The location the paths were given in.
    pub(crate) origin: &'c Location,
    /// Relative paths, without duplicates or paths inside another given one; `""` is the root.
    pub(crate) rels: Vec<PathBuf>,
}

/// Every (configuration, location) that holds all `paths`. Errors when a path is in no
/// location, or when the paths are spread over several locations.
pub(crate) fn targets<'c>(
    configs: &'c [Configuration],
    paths: &[UserPath],
) -> Result<Vec<Target<'c>>> {
    for path in paths {
        if !configs
            .iter()
            .any(|c| c.locations().any(|l| contains(l, path).is_some()))
        {
            return Err(Error::Failed(format!(
                "{} is not inside any WORKING or BACKUP location of the configuration file",
                quoted(path)
            )));
        }
    }
    let targets: Vec<Target<'c>> = configs
        .iter()
        .flat_map(|config| config.locations().map(move |location| (config, location)))
        .filter_map(|(config, origin)| {
            let rels = paths
                .iter()
                .map(|p| contains(origin, p))
                .collect::<Option<Vec<_>>>()?;
            Some(Target {
                config,
                origin,
                rels: minimal(rels),
            })
        })
        .collect();
    if targets.is_empty() {
        return Err(spread_error(configs, paths));
    }
    Ok(targets)
}

fn contains(location: &Location, path: &UserPath) -> Option<PathBuf> {
    location.relative(&path.lexical, &path.real)
}

/// Sorted, without duplicates, and without paths inside another one of the list.
fn minimal(mut rels: Vec<PathBuf>) -> Vec<PathBuf> {
    rels.sort();
    rels.dedup();
    let mut out: Vec<PathBuf> = Vec::with_capacity(rels.len());
    for rel in rels {
        if !out.iter().any(|kept| rel.starts_with(kept)) {
            out.push(rel);
        }
    }
    out
}

fn spread_error(configs: &[Configuration], paths: &[UserPath]) -> Error {
    let mut text =
        String::from("the paths lie in different locations; give paths of one location at a time:");
    for path in paths {
        let places: Vec<String> = configs
            .iter()
            .flat_map(|c| {
                c.locations()
                    .filter(|l| contains(l, path).is_some())
                    .map(move |l| describe(c, l))
            })
            .collect();
        text.push_str(&format!("\n  {}: {}", quoted(path), places.join(", ")));
    }
    Error::Failed(text)
}

/// `WORKING /home/u/docs of "documents"`
pub(crate) fn describe(config: &Configuration, location: &Location) -> String {
    format!("{} {} of \"{}\"", location.role(), location, config.name)
}

/// A user path for messages, escaped onto one line.
pub(crate) fn quoted(path: &UserPath) -> String {
    format!("\"{}\"", show::escape(path.given.as_bytes()))
}

/// The location of `config` whose root is `path` (for `--from` and `--to`).
pub(crate) fn location_at<'c>(
    config: &'c Configuration,
    path: &UserPath,
    flag: &str,
) -> Result<&'c Location> {
    config
        .locations()
        .find(|l| contains(l, path).is_some_and(|rel| rel.as_os_str().is_empty()))
        .ok_or_else(|| {
            let known: Vec<String> = config.locations().map(|l| describe(config, l)).collect();
            Error::Usage(format!(
                "{flag} {}: not a location of configuration \"{}\"; its locations are:\n  {}",
                quoted(path),
                config.name,
                known.join("\n  ")
            ))
        })
}

/// Whether anything (a file, a folder, a dangling symlink) is at `rel` below `location`.
pub(crate) fn exists_in(location: &Location, rel: &Path) -> bool {
    location.local_path(rel).symlink_metadata().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_keeps_the_outermost_paths() {
        let rels = ["a/b", "a", "c", "c", "ab"].map(PathBuf::from).to_vec();
        assert_eq!(minimal(rels), ["a", "ab", "c"].map(PathBuf::from));
        let with_root = ["x", ""].map(PathBuf::from).to_vec();
        assert_eq!(minimal(with_root), [PathBuf::new()]);
    }
}
