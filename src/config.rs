//! The configuration file: reading it, checking every rule before anything runs, and the
//! resolved `Configuration`s with their locations.
//!
//! The file is read as untyped JSON first and then checked field by field, so that each problem
//! names the configuration it is in and, for a typo, the field that was probably meant.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use thiserror::Error;

use crate::location::{Location, Role};

const FIELDS: [&str; 4] = ["name", "work", "backup", "exclude"];

/// One configuration: WORKING and BACKUP locations that are kept in step.
#[derive(Debug, Clone)]
pub(crate) struct Configuration {
    pub(crate) name: String,
    pub(crate) work: Vec<Location>,
    pub(crate) backup: Vec<Location>,
    /// rsync filter patterns that keep entries out of every action.
    pub(crate) exclude: Vec<String>,
}

impl Configuration {
    /// All locations, WORKING first.
    pub(crate) fn locations(&self) -> impl Iterator<Item = &Location> {
        self.work.iter().chain(&self.backup)
    }

    /// The locations of one role.
    pub(crate) fn of_role(&self, role: Role) -> &[Location] {
        match role {
            Role::Work => &self.work,
            Role::Backup => &self.backup,
        }
    }
}

/// A problem with the configuration file. Nothing runs when there is one.
#[derive(Debug, Error)]
pub(crate) enum ConfigError {
    #[error(
        "no configuration file at {path}\n\
         Create one, for example:\n\
         \n\
         {{\n  \"configs\": [\n    {{\n      \"name\": \"documents\",\n      \
         \"work\": [\"~/docs\"],\n      \"backup\": [\"/mnt/usb1/docs\"]\n    }}\n  ]\n}}\n\
         \n\
         or let micsync write it: micsync --add-config documents ~/docs /mnt/usb1/docs\n\
         or point --config or MICSYNC_CONFIG at another file."
    )]
    Missing { path: PathBuf },
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("{path}:{line}:{column}: not valid JSON: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {place}: {message}")]
    Invalid {
        path: PathBuf,
        place: String,
        message: String,
    },
    #[error("{path}: two configurations are named \"{name}\"; names must be unique")]
    DuplicateName { path: PathBuf, name: String },
    #[error(
        "{path}: configuration \"{config}\": {a_role} {a} {relation} {b_role} {b}; \
         the locations of one configuration must not overlap"
    )]
    Overlap {
        path: PathBuf,
        config: String,
        a_role: Role,
        a: String,
        b_role: Role,
        b: String,
        relation: &'static str,
    },
}

/// Reads and checks the configuration file at `path` (absolute: settings made it so).
pub(crate) fn load(path: &Path, home: &Path) -> Result<Vec<Configuration>, ConfigError> {
    let text = read(path)?.ok_or_else(|| ConfigError::Missing {
        path: path.to_path_buf(),
    })?;
    parse(&text, path, &folder_of(path), home)
}

/// The file's text, or `None` when there is no file yet.
pub(crate) fn read(path: &Path) -> Result<Option<String>, ConfigError> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ConfigError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The folder relative locations in the file at `path` start from.
pub(crate) fn folder_of(path: &Path) -> PathBuf {
    path.parent().unwrap_or(Path::new("/")).to_path_buf()
}

/// Parses and checks configuration text. `dir` is the folder relative locations start from.
pub(crate) fn parse(
    text: &str,
    path: &Path,
    dir: &Path,
    home: &Path,
) -> Result<Vec<Configuration>, ConfigError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ConfigError::Syntax {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })?;
    let invalid = |place: &str, message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        place: place.to_string(),
        message,
    };
    let top = value.as_object().ok_or_else(|| {
        invalid(
            "top level",
            "expected an object with a \"configs\" list".into(),
        )
    })?;
    check_unknown_fields(top, &["configs"]).map_err(|m| invalid("top level", m))?;
    let list = top
        .get("configs")
        .ok_or_else(|| invalid("top level", "missing field \"configs\"".into()))?
        .as_array()
        .ok_or_else(|| {
            invalid(
                "top level",
                "\"configs\" must be a list of configurations".into(),
            )
        })?;
    let mut configs = Vec::with_capacity(list.len());
    let mut names = HashSet::new();
    for (index, item) in list.iter().enumerate() {
        let config = parse_one(item, index, dir, home).map_err(|(place, m)| invalid(&place, m))?;
        if !names.insert(config.name.clone()) {
            return Err(ConfigError::DuplicateName {
                path: path.to_path_buf(),
                name: config.name,
            });
        }
        check_overlaps(&config, path)?;
        configs.push(config);
    }
    Ok(configs)
}

/// serde_json appends " at line L column C" to its messages; the error shows them already.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

type FieldError = (String, String);

fn parse_one(
    item: &Value,
    index: usize,
    dir: &Path,
    home: &Path,
) -> Result<Configuration, FieldError> {
    let fallback = format!("configuration #{}", index + 1);
    let object = item.as_object().ok_or_else(|| {
        (
            fallback.clone(),
            "expected an object with name, work and backup".into(),
        )
    })?;
    let name = match object.get("name") {
        Some(Value::String(name)) if !name.trim().is_empty() => name.clone(),
        Some(Value::String(_)) => return Err((fallback, "\"name\" must not be empty".into())),
        Some(other) => {
            return Err((
                fallback,
                format!("\"name\" must be a string, found {}", kind(other)),
            ));
        }
        None => return Err((fallback, "missing field \"name\"".into())),
    };
    let place = format!("configuration \"{name}\"");
    check_unknown_fields(object, &FIELDS).map_err(|m| (place.clone(), m))?;
    let field = |key: &str, required: bool| {
        string_list(object, key, required).map_err(|m| (place.clone(), m))
    };
    let locations = |role, key| -> Result<Vec<Location>, FieldError> {
        let written = field(key, true)?;
        if written.is_empty() {
            return Err((
                place.clone(),
                format!("\"{key}\" must list at least one location"),
            ));
        }
        if let Some(empty) = written.iter().find(|w| w.is_empty()) {
            return Err((
                place.clone(),
                format!("\"{key}\" holds an empty path {empty:?}"),
            ));
        }
        Ok(written
            .iter()
            .map(|w| Location::new(role, w, dir, home))
            .collect())
    };
    Ok(Configuration {
        work: locations(Role::Work, "work")?,
        backup: locations(Role::Backup, "backup")?,
        exclude: field("exclude", false)?,
        name,
    })
}

fn string_list(
    object: &Map<String, Value>,
    key: &str,
    required: bool,
) -> Result<Vec<String>, String> {
    let value = match object.get(key) {
        Some(value) => value,
        None if required => return Err(format!("missing field \"{key}\"")),
        None => return Ok(Vec::new()),
    };
    let wrong =
        |found: &Value| format!("\"{key}\" must be a list of strings, found {}", kind(found));
    let list = value.as_array().ok_or_else(|| wrong(value))?;
    list.iter()
        .map(|v| v.as_str().map(str::to_string).ok_or_else(|| wrong(v)))
        .collect()
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn check_unknown_fields(object: &Map<String, Value>, known: &[&str]) -> Result<(), String> {
    let Some(unknown) = object.keys().find(|k| !known.contains(&k.as_str())) else {
        return Ok(());
    };
    let closest = known
        .iter()
        .min_by_key(|k| edit_distance(unknown, k))
        .expect("known is not empty");
    let hint = if edit_distance(unknown, closest) <= closest.len().max(2) / 2 + 1 {
        format!("; did you mean \"{closest}\"?")
    } else {
        format!("; known fields: {}", known.join(", "))
    };
    Err(format!("unknown field \"{unknown}\"{hint}"))
}

/// Levenshtein distance, for "did you mean" hints.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// Two locations of one configuration must be neither the same nor nested, compared as written
/// (normalised) and, where both exist, with symbolic links resolved.
fn check_overlaps(config: &Configuration, path: &Path) -> Result<(), ConfigError> {
    let all: Vec<&Location> = config.locations().collect();
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            let relation =
                overlap(a.path(), b.path()).or_else(|| overlap(a.real_path(), b.real_path()));
            if let Some(relation) = relation {
                return Err(ConfigError::Overlap {
                    path: path.to_path_buf(),
                    config: config.name.clone(),
                    a_role: a.role(),
                    a: a.to_string(),
                    b_role: b.role(),
                    b: b.to_string(),
                    relation,
                });
            }
        }
    }
    Ok(())
}

fn overlap(a: &Path, b: &Path) -> Option<&'static str> {
    if a == b {
        Some("is the same directory as")
    } else if a.starts_with(b) {
        Some("lies inside")
    } else if b.starts_with(a) {
        Some("contains")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<Vec<Configuration>, ConfigError> {
        parse(
            text,
            Path::new("/cfg/m.json"),
            Path::new("/cfg"),
            Path::new("/home/u"),
        )
    }

    fn message(text: &str) -> String {
        check(text).unwrap_err().to_string()
    }

    #[test]
    fn locations_are_expanded_and_normalised() {
        let configs = check(
            r#"{"configs":[{"name":"d","work":["~/docs/"],"backup":["./rel/bk/","/mnt/a//b/"],"exclude":["*.tmp"]}]}"#,
        )
        .unwrap();
        let c = &configs[0];
        assert_eq!(c.work[0].path(), Path::new("/home/u/docs"));
        assert_eq!(c.backup[0].path(), Path::new("/cfg/rel/bk"));
        assert_eq!(c.backup[1].path(), Path::new("/mnt/a/b"));
        assert_eq!(c.exclude, ["*.tmp"]);
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let m = message("{\n  \"configs\": [,]\n}");
        assert!(
            m.starts_with("/cfg/m.json:2:15: not valid JSON: expected value"),
            "{m}"
        );
    }

    #[test]
    fn unknown_field_names_the_closest() {
        let m = message(r#"{"configs":[{"name":"d","work":["/w"],"bakup":["/b"]}]}"#);
        assert!(
            m.contains("configuration \"d\": unknown field \"bakup\"; did you mean \"backup\"?"),
            "{m}"
        );
    }

    #[test]
    fn missing_fields_wrong_types_and_empty_lists_name_the_configuration() {
        let cases = [
            (
                r#"{"configs":[{"name":"d","work":["/w"]}]}"#,
                "configuration \"d\": missing field \"backup\"",
            ),
            (
                r#"{"configs":[{"name":"d","work":"/w","backup":["/b"]}]}"#,
                "\"work\" must be a list of strings, found a string",
            ),
            (
                r#"{"configs":[{"name":"d","work":[],"backup":["/b"]}]}"#,
                "\"work\" must list at least one location",
            ),
            (
                r#"{"configs":[{"work":["/w"],"backup":["/b"]}]}"#,
                "configuration #1: missing field \"name\"",
            ),
            (
                r#"{"configs":[{"name":5,"work":["/w"],"backup":["/b"]}]}"#,
                "\"name\" must be a string, found a number",
            ),
            (r#"{"configs":{}}"#, "\"configs\" must be a list"),
            (r#"[]"#, "expected an object"),
        ];
        for (text, expected) in cases {
            let m = message(text);
            assert!(m.contains(expected), "{text}: {m}");
        }
    }

    #[test]
    fn duplicate_names_are_rejected() {
        let m = message(
            r#"{"configs":[{"name":"d","work":["/w"],"backup":["/b"]},{"name":"d","work":["/x"],"backup":["/y"]}]}"#,
        );
        assert!(m.contains("two configurations are named \"d\""), "{m}");
    }

    #[test]
    fn overlapping_locations_are_rejected() {
        for (work, backup, relation) in [
            (
                r#"["/w", "/w/"]"#,
                r#"["/b"]"#,
                "WORKING /w is the same directory as WORKING /w",
            ),
            (
                r#"["/w"]"#,
                r#"["/b", "/b/inner"]"#,
                "BACKUP /b contains BACKUP /b/inner",
            ),
            (
                r#"["/w/b"]"#,
                r#"["/w"]"#,
                "WORKING /w/b lies inside BACKUP /w",
            ),
        ] {
            let text = format!(r#"{{"configs":[{{"name":"d","work":{work},"backup":{backup}}}]}}"#);
            let m = message(&text);
            assert!(m.contains(relation), "{m}");
        }
    }

    #[test]
    fn the_same_directory_may_serve_several_configurations() {
        check(r#"{"configs":[{"name":"a","work":["/w"],"backup":["/b"]},{"name":"b","work":["/w"],"backup":["/c"]}]}"#)
            .unwrap();
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("bakup", "backup"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("work", "work"), 0);
    }
}
