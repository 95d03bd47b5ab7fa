//! The mass-deletion guard: approved deletions that would remove more than half of what a
//! destination holds under the given paths, or more than 1,000 entries, stop that destination
//! before anything changes there, unless `--max-delete` allows that many. An empty source
//! mirrored with `-D` over a full destination (an unplugged disk, a wrong path) is the case it
//! exists for.

use std::fs;
use std::path::{Path, PathBuf};

use crate::location::Location;
use crate::show;

/// More deletions than this always need `--max-delete`.
pub(crate) const MAX_UNGUARDED: usize = 1000;

/// The folder rsync keeps partial files in (`--partial-dir`); it is micsync's, not the user's.
pub(crate) const PARTIAL_DIR: &str = ".micsync-partial";

/// Why `deletions` approved deletions at `destination` must not run, or `None` when they may.
pub(crate) fn check(
    destination: &Location,
    rels: &[PathBuf],
    deletions: usize,
    allowed: Option<usize>,
) -> Option<String> {
    if deletions == 0 || allowed.is_some_and(|n| deletions <= n) {
        return None;
    }
    let why = if deletions > MAX_UNGUARDED {
        format!("more than {MAX_UNGUARDED}")
    } else {
        let held = count_entries(destination, rels, 2 * deletions);
        if 2 * deletions <= held {
            return None;
        }
        format!("more than half of the {held} it holds under the given paths")
    };
    let allowed_now = match allowed {
        Some(n) => format!(" (--max-delete {n} allows only {n})"),
        None => String::new(),
    };
    Some(format!(
        "{} {destination}: stopped before changing anything there: {} would be deleted, \
         {why}{allowed_now}. If that is what you want, use --max-delete {deletions} to allow it",
        destination.role(),
        show::plural(deletions, "entry", "entries"),
    ))
}

/// Counts the entries `destination` holds at and below each of `rels` (below the root for an
/// empty one), without following symbolic links, stopping once `enough` are counted: the walk
/// costs at most twice the deletions it guards.
fn count_entries(destination: &Location, rels: &[PathBuf], enough: usize) -> usize {
    let mut count = 0;
    for rel in rels {
        let path = destination.local_path(rel);
        if !rel.as_os_str().is_empty() {
            match path.symlink_metadata() {
                Ok(meta) => {
                    count += 1;
                    if !meta.is_dir() {
                        continue;
                    }
                }
                Err(_) => continue,
            }
        }
        count_below(&path, enough, &mut count);
        if count >= enough {
            break;
        }
    }
    count
}

fn count_below(dir: &Path, enough: usize, count: &mut usize) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if *count >= enough {
            return;
        }
        if entry.file_name() == PARTIAL_DIR {
            continue;
        }
        *count += 1;
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            count_below(&entry.path(), enough, count);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::location::Role;

    fn backup_with(files: &[&str]) -> (tempfile::TempDir, Location) {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            let path = dir.path().join(f);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "x").unwrap();
        }
        let location = Location::new(
            Role::Backup,
            dir.path().to_str().unwrap(),
            Path::new("/"),
            Path::new("/"),
        );
        (dir, location)
    }

    #[test]
    fn half_or_less_passes_and_more_than_half_stops() {
        let (_dir, dest) = backup_with(&["a", "b", "c", "d"]);
        let root = [PathBuf::new()];
        assert_eq!(check(&dest, &root, 2, None), None);
        let stop = check(&dest, &root, 3, None).unwrap();
        assert!(stop.contains("3 entries would be deleted, more than half of the 4"));
        assert!(stop.ends_with("use --max-delete 3 to allow it"), "{stop}");
        assert_eq!(check(&dest, &root, 3, Some(3)), None);
        assert!(
            check(&dest, &root, 3, Some(2))
                .unwrap()
                .contains("allows only 2")
        );
    }

    #[test]
    fn only_the_given_paths_count_and_the_partial_dir_does_not() {
        let (_dir, dest) = backup_with(&[
            "sub/a",
            "sub/.micsync-partial/big",
            "other/1",
            "other/2",
            "other/3",
        ]);
        // `sub` and `sub/a`: deleting both is everything under the given path.
        assert!(check(&dest, &[PathBuf::from("sub")], 2, None).is_some());
        assert!(check(&dest, &[PathBuf::from("sub")], 1, None).is_none());
    }

    #[test]
    fn more_than_a_thousand_always_needs_max_delete() {
        let (_dir, dest) = backup_with(&["a"]);
        let stop = check(&dest, &[PathBuf::new()], 1001, None).unwrap();
        assert!(stop.contains("1001 entries would be deleted, more than 1000"));
        assert_eq!(check(&dest, &[PathBuf::new()], 1001, Some(5000)), None);
    }
}
