//! One WORKING or BACKUP location: where it is, whether it can be used now, and how rsync
//! addresses it. Everything that will differ for a location on another machine lives here.

use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use crate::{guard, mounts, paths};

/// Which side of a configuration a location belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Work,
    Backup,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Work => "WORKING",
            Role::Backup => "BACKUP",
        })
    }
}

/// A location of a configuration, as declared and as resolved.
#[derive(Debug, Clone)]
pub(crate) struct Location {
    role: Role,
    /// Absolute and normalised: `~` expanded, relative paths taken from the config's folder.
    path: PathBuf,
    /// `path` with symbolic links resolved where it exists; used to compare paths.
    real: PathBuf,
}

impl Location {
    /// Resolves a location as written in the configuration file.
    pub(crate) fn new(role: Role, written: &str, config_dir: &Path, home: &Path) -> Self {
        let expanded = paths::expand_tilde(written.as_ref(), home);
        let path = paths::normalize(&expanded, config_dir);
        let real = paths::resolve_existing(&path, true);
        Location { role, path, real }
    }

    pub(crate) fn role(&self) -> Role {
        self.role
    }

    /// The location's root on this machine.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The root with symbolic links resolved, for comparisons.
    pub(crate) fn real_path(&self) -> &Path {
        &self.real
    }

    /// A location is accessible when its root directory exists and, when it lies below a mount
    /// point listed in fstab, something is mounted there. micsync never creates the root, so an
    /// unplugged disk is never replaced by a copy on the mount point's parent file system.
    pub(crate) fn is_accessible(&self) -> bool {
        self.path.is_dir() && mounts::unmounted_above(&self.real).is_none()
    }

    /// Whether the root holds nothing (micsync's partial-file folder aside): for a BACKUP, the
    /// sign of a disk that is not mounted.
    pub(crate) fn is_empty(&self) -> bool {
        fs::read_dir(&self.path).is_ok_and(|mut entries| {
            entries.all(|e| e.is_ok_and(|e| e.file_name() == guard::PARTIAL_DIR))
        })
    }

    /// Where `rel` (a path relative to the root) is on this machine.
    pub(crate) fn local_path(&self, rel: &Path) -> PathBuf {
        if rel.as_os_str().is_empty() {
            self.path.clone()
        } else {
            self.path.join(rel)
        }
    }

    /// The argument that names this location's contents for rsync: the root with a trailing `/`.
    pub(crate) fn rsync_root(&self) -> OsString {
        paths::join_bytes(&self.path, Path::new(""), true)
    }

    /// The argument that names `rel` below the root for rsync's `-R`: `root/./rel`, so that rsync
    /// recreates `rel` at the same place at the destination.
    pub(crate) fn rsync_relative(&self, rel: &Path) -> OsString {
        paths::join_bytes(&self.path, &Path::new(".").join(rel), false)
    }

    /// The path relative to this location of a path given as `lexical` (normalised) and `real`
    /// (the symbolic links of its folders resolved), when it lies inside it. The real path
    /// decides, so that a path through a symlink inside the location maps to where the data is,
    /// and one through a symlink pointing out of the location is not inside it. The lexical path
    /// only serves for the root itself, which may be a symlink (a mount point alias).
    pub(crate) fn relative(&self, lexical: &Path, real: &Path) -> Option<PathBuf> {
        paths::relative_to(real, &self.real).or_else(|| (lexical == self.path).then(PathBuf::new))
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())
    }
}
