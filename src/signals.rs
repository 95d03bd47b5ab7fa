//! Ctrl-C and SIGTERM: remembered in a flag, passed on to the running rsync so that it stops
//! cleanly (it removes its temporary file; rsync-notes.md §9), and turned into exit status 130
//! by the code that checks the flag.

use std::io;
use std::process::Child;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::thread;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// The process id of the running rsync, or 0.
static CHILD: AtomicI32 = AtomicI32::new(0);

/// Starts the thread that receives SIGINT, SIGTERM and SIGHUP for the rest of the run.
pub(crate) fn install() -> io::Result<()> {
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                INTERRUPTED.store(true, Ordering::SeqCst);
                let child = CHILD.load(Ordering::SeqCst);
                if child > 0 {
                    forward(child, signal);
                }
            }
        })?;
    Ok(())
}

#[allow(unsafe_code)]
fn forward(pid: i32, signal: i32) {
    // SAFETY: kill(2) has no memory-safety preconditions; the pid is that of our own child,
    // which is only reaped after the guard below has cleared it.
    unsafe {
        libc::kill(pid, signal);
    }
}

/// Restores the default action of SIGPIPE (Rust ignores it), so that `micsync … | head` ends
/// quietly when the reader goes away instead of failing on every later write.
#[allow(unsafe_code)]
pub(crate) fn restore_sigpipe() {
    // SAFETY: setting a signal's disposition to SIG_DFL has no memory-safety preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Makes a child receive SIGTERM when micsync dies, even by SIGKILL, so that no rsync goes on
/// writing into a location after micsync (and its lock) are gone.
#[allow(unsafe_code)]
pub(crate) fn end_with_parent(command: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs between fork and exec and only calls prctl(2), which is
    // async-signal-safe and touches no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Whether the user interrupted micsync (Ctrl-C) or it was asked to terminate.
pub(crate) fn is_interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Records the running child so that a signal reaches it; clears it when dropped.
#[derive(Debug)]
pub(crate) struct ChildGuard;

impl ChildGuard {
    pub(crate) fn new(child: &Child) -> Self {
        CHILD.store(i32::try_from(child.id()).unwrap_or(0), Ordering::SeqCst);
        if is_interrupted() {
            forward(CHILD.load(Ordering::SeqCst), SIGTERM);
        }
        ChildGuard
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        CHILD.store(0, Ordering::SeqCst);
    }
}
