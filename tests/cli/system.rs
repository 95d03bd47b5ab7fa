//! What fault tests need from the system: root, small file systems mounted for one test, and
//! running micsync as an unprivileged user. Tests that need root fail with a message saying so
//! when they are not root (CI runs as root): they never skip silently. Their names start with
//! `needs_root_`, so that a build that cannot be root (makepkg's `check()`) can leave them out
//! by name, visibly: `cargo test -- --skip needs_root_`.

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false)
}

/// Fails the test, saying why, when it does not run as root.
pub fn require_root(what: &str) {
    assert!(
        is_root(),
        "this test needs root to {what} (CI runs the tests as root); run `sudo cargo test`"
    );
}

/// A tmpfs mounted at a directory for the life of the value.
pub struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Mounts a tmpfs with `options` (for example `size=2m` or `ro,size=1m`) at `path`.
    pub fn mount(path: &Path, options: &str) -> Self {
        require_root("mount a tmpfs");
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "micsync-test"])
            .arg(path)
            .status()
            .expect("run mount");
        assert!(status.success(), "mount a tmpfs at {}", path.display());
        Tmpfs(path.to_path_buf())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}
