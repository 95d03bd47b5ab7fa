//! Mount points that should be mounted: a location below a mount point listed in fstab with
//! nothing mounted there now is not accessible, even though its directory exists (it is then a
//! folder on the disk that holds the mount point, not the unplugged disk).
//!
//! The table is read once per run, from the fstab named by settings and from
//! `/proc/self/mountinfo`. Without a readable mountinfo (not Linux) nothing is judged unmounted.

use std::collections::HashSet;
use std::fs;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const MOUNTINFO: &str = "/proc/self/mountinfo";

static TABLE: OnceLock<Table> = OnceLock::new();

/// fstab's mount points (other than `/`) and what is mounted now.
#[derive(Debug, Default)]
struct Table {
    expected: Vec<PathBuf>,
    mounted: Option<HashSet<PathBuf>>,
}

/// Reads the mount table for this run. A missing or unreadable fstab lists nothing.
pub(crate) fn load(fstab: &Path) {
    let expected = fs::read(fstab)
        .map(|text| fstab_mount_points(&text))
        .unwrap_or_default();
    let mounted = fs::read(MOUNTINFO).ok().map(|text| mounted_points(&text));
    let _ = TABLE.set(Table { expected, mounted });
}

/// The fstab mount point that holds `path` (the deepest one other than `/`) when nothing is
/// mounted there now.
pub(crate) fn unmounted_above(path: &Path) -> Option<&'static Path> {
    TABLE.get()?.unmounted_above(path)
}

impl Table {
    fn unmounted_above(&self, path: &Path) -> Option<&Path> {
        let mounted = self.mounted.as_ref()?;
        let deepest = self
            .expected
            .iter()
            .filter(|point| path.starts_with(point))
            .max_by_key(|point| point.components().count())?;
        (!mounted.contains(deepest)).then_some(deepest.as_path())
    }
}

/// The second field of every fstab entry that is an absolute path other than `/`, with its
/// octal escapes (`\040` for a space) decoded and its symbolic links resolved where it exists.
fn fstab_mount_points(text: &[u8]) -> Vec<PathBuf> {
    text.split(|&b| b == b'\n')
        .filter_map(|line| {
            let mut fields = line
                .split(|b| b.is_ascii_whitespace())
                .filter(|f| !f.is_empty());
            let first = fields.next()?;
            if first.starts_with(b"#") {
                return None;
            }
            let point = PathBuf::from(std::ffi::OsString::from_vec(unescape(fields.next()?)));
            (point.is_absolute() && point.parent().is_some())
                .then(|| fs::canonicalize(&point).unwrap_or(point))
        })
        .collect()
}

/// The fifth field of every line of mountinfo: the mount point, octal-escaped.
fn mounted_points(text: &[u8]) -> HashSet<PathBuf> {
    text.split(|&b| b == b'\n')
        .filter_map(|line| {
            let point = line.split(|&b| b == b' ').nth(4)?;
            Some(PathBuf::from(std::ffi::OsString::from_vec(unescape(point))))
        })
        .collect()
}

/// Decodes `\ooo` (three octal digits), as fstab and mountinfo write space, tab, newline and
/// backslash; anything else is kept as it is.
fn unescape(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    let mut i = 0;
    while i < field.len() {
        let octal = field
            .get(i + 1..i + 4)
            .filter(|d| field[i] == b'\\' && d.iter().all(|b| (b'0'..=b'7').contains(b)))
            .and_then(|d| {
                let value = d.iter().fold(0u32, |v, b| v * 8 + u32::from(b - b'0'));
                u8::try_from(value).ok()
            });
        match octal {
            Some(byte) => {
                out.push(byte);
                i += 4;
            }
            None => {
                out.push(field[i]);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fstab_lists_mount_points_with_escapes_and_without_root_or_swap() {
        let fstab = b"# <file system> <mount point> <type>\n\
            UUID=1 / ext4 defaults 0 1\n\
            \n   # indented comment\n\
            UUID=2 /mnt/usb\\0401 vfat noauto 0 0\n\
            /dev/sdb2\tnone\tswap\tsw\t0\t0\n\
            LABEL=x /media/disk/ ext4 noauto\n\
            broken-line-with-one-field\n";
        assert_eq!(
            fstab_mount_points(fstab),
            [PathBuf::from("/mnt/usb 1"), PathBuf::from("/media/disk")]
        );
    }

    #[test]
    fn mountinfo_gives_the_fifth_field() {
        let info = b"22 27 0:21 / /proc rw,relatime - proc proc rw\n\
            80 27 0:50 / /mnt/usb\\0401 rw - vfat /dev/sdb1 rw\n\
            short line\n";
        let points = mounted_points(info);
        assert!(points.contains(Path::new("/mnt/usb 1")) && points.contains(Path::new("/proc")));
        assert_eq!(points.len(), 2);
    }

    #[test]
    fn the_deepest_fstab_mount_point_decides() {
        let table = Table {
            expected: vec!["/mnt".into(), "/mnt/usb1".into(), "/data".into()],
            mounted: Some(["/mnt".into(), "/".into()].into_iter().collect()),
        };
        assert_eq!(
            table.unmounted_above(Path::new("/mnt/usb1/docs")),
            Some(Path::new("/mnt/usb1"))
        );
        assert_eq!(
            table.unmounted_above(Path::new("/mnt/usb1")),
            Some(Path::new("/mnt/usb1"))
        );
        assert_eq!(table.unmounted_above(Path::new("/mnt/usb10/docs")), None);
        assert_eq!(table.unmounted_above(Path::new("/mnt/other")), None);
        assert_eq!(
            table.unmounted_above(Path::new("/data")),
            Some(Path::new("/data"))
        );
        assert_eq!(table.unmounted_above(Path::new("/home/me")), None);
        let unknown = Table {
            mounted: None,
            ..table
        };
        assert_eq!(unknown.unmounted_above(Path::new("/mnt/usb1/docs")), None);
    }

    proptest::proptest! {
        #[test]
        fn any_fstab_or_mountinfo_is_read_without_panic(
            text in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)
        ) {
            let _ = fstab_mount_points(&text);
            let _ = mounted_points(&text);
        }
    }

    #[test]
    fn unescape_keeps_what_is_not_an_escape() {
        assert_eq!(unescape(b"a\\040b\\134c"), b"a b\\c");
        assert_eq!(unescape(b"\\04"), b"\\04");
        assert_eq!(unescape(b"\\777x\\"), b"\\777x\\");
    }
}
