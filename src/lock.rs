//! One run at a time per location: an advisory `flock(2)` on the location's root directory,
//! exclusive for a destination and shared for the source, held from before planning until the
//! run ends.
//!
//! The root directory itself is locked, so no lock file appears in plans, listings or the
//! user's tree; every path that reaches the same directory (symbolic links, bind mounts) meets
//! the same lock; and the kernel releases it when the process dies, so there is never a stale
//! lock to clean up. Locations are locked in the order of their resolved paths, so two runs that
//! lock overlapping sets cannot deadlock.

use std::fs::{self, File};
use std::os::unix::fs::MetadataExt;
use std::thread;
use std::time::Duration;

use rustix::fs::FlockOperation;
use rustix::io::Errno;

use crate::error::{Error, Result};
use crate::location::Location;
use crate::signals;

/// How often a waiting run tries the lock again (and notices Ctrl-C).
const RETRY: Duration = Duration::from_millis(100);

/// Locks held for the rest of a run; dropping them releases them.
#[derive(Debug, Default)]
pub(crate) struct Locks {
    _held: Vec<File>,
}

/// Whether a run only reads from a location or writes into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    Read,
    Write,
}

/// Locks the source (shared) and every destination (exclusive). When another micsync holds a
/// conflicting lock, waits for it, saying so once, or with `wait` false fails at once.
pub(crate) fn for_run(source: &Location, destinations: &[&Location], wait: bool) -> Result<Locks> {
    let mut wanted: Vec<(&Location, Use)> = destinations.iter().map(|d| (*d, Use::Write)).collect();
    wanted.push((source, Use::Read));
    wanted.sort_by(|a, b| a.0.real_path().cmp(b.0.real_path()));
    let mut locks = Locks::default();
    for (location, usage) in wanted {
        if let Some(file) = lock(location, usage, wait)? {
            locks._held.push(file);
        }
    }
    Ok(locks)
}

/// Takes one lock. A file system that cannot lock (some network file systems) gets a warning
/// and no lock, rather than no run.
fn lock(location: &Location, usage: Use, wait: bool) -> Result<Option<File>> {
    let operation = match usage {
        Use::Read => FlockOperation::NonBlockingLockShared,
        Use::Write => FlockOperation::NonBlockingLockExclusive,
    };
    let name = format!("{} {location}", location.role());
    let file = match File::open(location.path()) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("micsync: warning: cannot lock {name}: {e}");
            return Ok(None);
        }
    };
    let mut announced = false;
    loop {
        match rustix::fs::flock(&file, operation) {
            Ok(()) => return Ok(Some(file)),
            Err(Errno::WOULDBLOCK) => {}
            Err(e) => {
                eprintln!(
                    "micsync: warning: cannot lock {name} ({e}): another micsync could write \
                     there at the same time"
                );
                return Ok(None);
            }
        }
        let other = describe_holder(&file);
        if !wait {
            return Err(Error::Failed(format!(
                "{other} is using {name}; not waiting (--no-wait): nothing was changed"
            )));
        }
        if !announced {
            eprintln!("micsync: waiting for {other} using {name}…");
            announced = true;
        }
        thread::sleep(RETRY);
        if signals::is_interrupted() {
            return Err(Error::Interrupted);
        }
    }
}

/// "another micsync (pid 123, writing)" when `/proc/locks` names the holder.
fn describe_holder(file: &File) -> String {
    let holder = file.metadata().ok().and_then(|meta| {
        let locks = fs::read_to_string("/proc/locks").ok()?;
        holder_of(&locks, meta.dev(), meta.ino(), std::process::id())
    });
    match holder {
        Some((pid, true)) => format!("another micsync (pid {pid}, writing)"),
        Some((pid, false)) => format!("another micsync (pid {pid}, reading)"),
        None => "another micsync".to_string(),
    }
}

/// The process holding a `flock` on the inode `dev`/`ino`, other than `own`, from the text of
/// `/proc/locks`, and whether its lock is exclusive. Lines of waiting processes (`->`) are
/// skipped.
fn holder_of(locks: &str, dev: u64, ino: u64, own: u32) -> Option<(u32, bool)> {
    let device = format!(
        "{:02x}:{:02x}:{ino}",
        rustix::fs::major(dev),
        rustix::fs::minor(dev)
    );
    locks.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields[..] {
            [_, "FLOCK", _, kind, pid, dev_ino, ..] if dev_ino == device => {
                let pid: u32 = pid.parse().ok()?;
                (pid != own).then_some((pid, kind == "WRITE"))
            }
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn any_proc_locks_text_is_read_without_panic(text in ".{0,300}") {
            let _ = holder_of(&text, 0, 0, 1);
        }
    }

    #[test]
    fn the_holder_is_read_from_proc_locks() {
        let dev = rustix::fs::makedev(0xfe, 0);
        let locks = "1: FLOCK  ADVISORY  WRITE 24852 fe:00:5390511 0 EOF\n\
                     1: -> FLOCK  ADVISORY  WRITE 999 fe:00:5390511 0 EOF\n\
                     2: FLOCK  ADVISORY  READ 77 fe:00:42 0 EOF\n\
                     3: POSIX  ADVISORY  WRITE 5 fe:00:43 0 EOF\n";
        assert_eq!(holder_of(locks, dev, 5390511, 1), Some((24852, true)));
        assert_eq!(holder_of(locks, dev, 42, 1), Some((77, false)));
        assert_eq!(holder_of(locks, dev, 42, 77), None);
        assert_eq!(holder_of(locks, dev, 43, 1), None);
        assert_eq!(holder_of("garbage\n\n1:", dev, 42, 1), None);
    }
}
