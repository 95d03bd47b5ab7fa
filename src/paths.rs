//! Pure path arithmetic: `~` expansion, lexical normalisation and symlink resolution of the
//! part of a path that exists. Works on bytes, so names that are not UTF-8 survive.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Component, Path, PathBuf};

/// Expands a leading `~` or `~/` to `home`. `~user` is left as it is (and later fails to exist).
pub(crate) fn expand_tilde(path: &OsStr, home: &Path) -> PathBuf {
    let bytes = path.as_bytes();
    if bytes == b"~" {
        return home.to_path_buf();
    }
    match bytes.strip_prefix(b"~/") {
        Some(rest) => home.join(OsStr::from_bytes(rest)),
        None => PathBuf::from(path),
    }
}

/// Makes `path` absolute against `base` and removes `.`, `..` and repeated or trailing slashes,
/// without touching the file system.
pub(crate) fn normalize(path: &Path, base: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    };
    let mut out = PathBuf::from("/");
    for component in joined.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(name) => out.push(name),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    out
}

/// Resolves symbolic links in the longest existing ancestor of an absolute, normalised path and
/// appends the rest. The final component is resolved only when `resolve_last` is set, so that a
/// symlink given on the command line is synchronised as a link.
pub(crate) fn resolve_existing(path: &Path, resolve_last: bool) -> PathBuf {
    let (head, last) = match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if !resolve_last => (parent, Some(name)),
        _ => (path, None),
    };
    let mut existing = head;
    let mut rest: Vec<&OsStr> = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            out.extend(rest.iter().rev());
            if let Some(name) = last {
                out.push(name);
            }
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name);
                existing = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// Returns `path` relative to `root` when it lies inside it (or is it: the empty path).
pub(crate) fn relative_to(path: &Path, root: &Path) -> Option<PathBuf> {
    path.strip_prefix(root).ok().map(Path::to_path_buf)
}

/// `root` + `/` + `rel`, then a trailing slash when `dir_slash` is set: rsync's way of saying
/// "the contents of".
pub(crate) fn join_bytes(root: &Path, rel: &Path, dir_slash: bool) -> OsString {
    let mut bytes = root.as_os_str().as_bytes().to_vec();
    if !rel.as_os_str().is_empty() {
        if bytes.last() != Some(&b'/') {
            bytes.push(b'/');
        }
        bytes.extend_from_slice(rel.as_os_str().as_bytes());
    }
    if dir_slash && bytes.last() != Some(&b'/') {
        bytes.push(b'/');
    }
    OsString::from_vec(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tilde_expands_only_alone_or_before_a_slash() {
        let home = Path::new("/home/u");
        assert_eq!(expand_tilde(OsStr::new("~"), home), Path::new("/home/u"));
        assert_eq!(
            expand_tilde(OsStr::new("~/a/b"), home),
            Path::new("/home/u/a/b")
        );
        assert_eq!(expand_tilde(OsStr::new("~x/a"), home), Path::new("~x/a"));
        assert_eq!(expand_tilde(OsStr::new("a/~"), home), Path::new("a/~"));
    }

    #[test]
    fn normalize_removes_dots_and_trailing_slashes() {
        let base = Path::new("/cfg/dir");
        assert_eq!(
            normalize(Path::new("./rel/backup/"), base),
            Path::new("/cfg/dir/rel/backup")
        );
        assert_eq!(
            normalize(Path::new("/a//b/../c/."), base),
            Path::new("/a/c")
        );
        assert_eq!(normalize(Path::new("../../.."), base), Path::new("/"));
    }

    #[test]
    fn join_adds_slashes_once() {
        assert_eq!(
            join_bytes(Path::new("/r"), Path::new(""), true),
            OsStr::new("/r/")
        );
        assert_eq!(
            join_bytes(Path::new("/"), Path::new("x"), false),
            OsStr::new("/x")
        );
        assert_eq!(
            join_bytes(Path::new("/r"), Path::new("a/b"), false),
            OsStr::new("/r/a/b")
        );
    }
}
