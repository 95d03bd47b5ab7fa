//! `--add-config`, `--add-work`, `--add-backup`: change the configuration file without writing
//! JSON by hand. The file is read as plain JSON so that everything else in it stays as it was
//! (serde_json's `preserve_order` keeps the order of keys), the result is checked by the same
//! `config::parse` that loading uses, and only then written, atomically.

use std::fs::{self, File, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::config::{self, ConfigError, Configuration};
use crate::error::{Error, Result, Status};
use crate::location::{Location, Role};
use crate::settings::{Edit, Settings, UserPath};

/// Applies `edit` to the configuration file, or changes nothing and says why.
pub(crate) fn run(settings: &Settings, edit: &Edit) -> Result<Status> {
    let file = &settings.config_file;
    let dir = config::folder_of(file);
    let mut value = match config::read(file)? {
        Some(text) => {
            config::parse(&text, file, &dir, &settings.home)?;
            serde_json::from_str(&text).expect("checked by config::parse")
        }
        None if matches!(edit, Edit::AddConfig(_)) => json!({ "configs": [] }),
        None => return Err(ConfigError::Missing { path: file.clone() }.into()),
    };
    let written: Vec<String> = settings
        .paths
        .iter()
        .map(|p| written(p, &settings.home))
        .collect::<Result<_>>()?;
    let name = apply(&mut value, edit, &written)?;
    let text = serde_json::to_string_pretty(&value).expect("JSON values serialise") + "\n";
    let configs = config::parse(&text, file, &dir, &settings.home)
        .map_err(|e| Error::Failed(format!("{e}\nThe configuration file was not changed.")))?;
    save(&target(file), &text)
        .map_err(|e| Error::Failed(format!("cannot write {}: {e}", file.display())))?;
    let config = configs
        .iter()
        .find(|c| c.name == name)
        .expect("the edited configuration");
    print!("{}", describe(edit, config, &written, file));
    Ok(Status::Success)
}

/// A location as the file will hold it: absolute, with the home directory written `~`.
fn written(path: &UserPath, home: &Path) -> Result<String> {
    let text = match path.lexical.strip_prefix(home) {
        Ok(rest) if rest.as_os_str().is_empty() => Some("~".to_string()),
        Ok(rest) => rest.to_str().map(|r| format!("~/{r}")),
        Err(_) => path.lexical.to_str().map(str::to_string),
    };
    text.ok_or_else(|| {
        Error::Usage(format!(
            "{}: a location's path must be valid UTF-8 to be written in the JSON file",
            path.lexical.display()
        ))
    })
}

/// Changes the JSON value; returns the name of the configuration changed.
fn apply(value: &mut Value, edit: &Edit, paths: &[String]) -> Result<String> {
    let configs = value["configs"]
        .as_array_mut()
        .expect("config::parse checked that configs is a list");
    match edit {
        Edit::AddConfig(name) => {
            configs.push(json!({ "name": name, "work": [paths[0]], "backup": paths[1..] }));
            Ok(name.clone())
        }
        Edit::AddLocations(role, name) => {
            let known: Vec<String> = configs
                .iter()
                .filter_map(|c| c["name"].as_str().map(str::to_string))
                .collect();
            let Some(config) = configs.iter_mut().find(|c| c["name"] == name.as_str()) else {
                return Err(Error::Failed(format!(
                    "no configuration is named \"{name}\" (there are: {}); \
                     --add-config {name} WORKING BACKUP creates it",
                    known.join(", ")
                )));
            };
            let key = match role {
                Role::Work => "work",
                Role::Backup => "backup",
            };
            let list = config[key]
                .as_array_mut()
                .expect("config::parse checked the list");
            list.extend(paths.iter().map(|p| Value::from(p.as_str())));
            Ok(name.clone())
        }
    }
}

/// Where to write: through a symbolic link (a dotfiles repository), not over it.
fn target(file: &Path) -> PathBuf {
    match file.symlink_metadata() {
        Ok(meta) if meta.file_type().is_symlink() => {
            fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf())
        }
        _ => file.to_path_buf(),
    }
}

/// Writes a temporary file beside `file` with its permissions, syncs it, and renames it over
/// `file`, so that a crash leaves either the old file or the new one.
fn save(file: &Path, text: &str) -> io::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("/"));
    let mode = fs::metadata(file).map_or(0o644, |m| m.permissions().mode() & 0o7777);
    let mut temp = tempfile::Builder::new()
        .prefix(".micsync-config-")
        .tempfile_in(dir)?;
    temp.write_all(text.as_bytes())?;
    temp.as_file()
        .set_permissions(Permissions::from_mode(mode))?;
    temp.as_file().sync_all()?;
    temp.persist(file).map_err(|e| e.error)?;
    // The rename is durable once the directory is synced; failing that is not worth an error.
    let _ = File::open(dir).and_then(|d| d.sync_all());
    Ok(())
}

fn describe(edit: &Edit, config: &Configuration, written: &[String], file: &Path) -> String {
    let (verb, added): (&str, Vec<&Location>) = match edit {
        Edit::AddConfig(_) => ("Added configuration", config.locations().collect()),
        Edit::AddLocations(role, _) => {
            let all = config.of_role(*role);
            (
                "Changed configuration",
                all[all.len() - written.len()..].iter().collect(),
            )
        }
    };
    let mut out = format!("{verb} \"{}\" in {}:\n", config.name, file.display());
    for (location, path) in added.iter().zip(written) {
        let note = if location.is_accessible() {
            ""
        } else {
            "  (not accessible now)"
        };
        out.push_str(&format!("  + {} {path}{note}\n", location.role()));
    }
    out
}
