//! A temporary HOME with a configuration, files to synchronise, the real micsync binary and the
//! real rsync. Nothing touches the real home directory.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

/// One test's world: `root/home` is HOME; the configuration is `root/home/.micsync.json`.
pub struct TestEnv {
    dir: TempDir,
}

/// What a tree holds at a relative path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Dir,
    File(Vec<u8>),
    Link(PathBuf),
}

impl TestEnv {
    pub fn new() -> Self {
        ensure_rsync();
        let dir = tempfile::Builder::new()
            .prefix("micsync-test-")
            .tempdir()
            .expect("temp dir");
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod temp dir");
        fs::create_dir(dir.path().join("home")).expect("home");
        TestEnv { dir }
    }

    /// The absolute path of `rel` inside the test's root.
    pub fn path(&self, rel: &str) -> PathBuf {
        let root = self.dir.path().canonicalize().expect("canonical root");
        if rel.is_empty() { root } else { root.join(rel) }
    }

    pub fn home(&self) -> PathBuf {
        self.path("home")
    }

    pub fn config_path(&self) -> PathBuf {
        self.home().join(".micsync.json")
    }

    /// Writes the configuration file as given.
    pub fn write_config(&self, text: &str) {
        fs::write(self.config_path(), text).expect("write config");
    }

    /// Writes a configuration of `(name, work, backup)` with locations relative to the root.
    pub fn config(&self, configs: &[(&str, &[&str], &[&str])]) {
        let quote = |l: &&str| format!("{:?}", self.path(l).to_str().expect("utf-8 test path"));
        let items: Vec<String> = configs
            .iter()
            .map(|(name, work, backup)| {
                format!(
                    r#"{{"name": {name:?}, "work": [{}], "backup": [{}]}}"#,
                    work.iter().map(quote).collect::<Vec<_>>().join(", "),
                    backup.iter().map(quote).collect::<Vec<_>>().join(", ")
                )
            })
            .collect();
        self.write_config(&format!(r#"{{"configs": [{}]}}"#, items.join(", ")));
    }

    /// The usual world: WORKING `home/docs`, BACKUPs `usb1/docs` and `usb2/docs`, all present.
    pub fn docs(&self) {
        self.docs_with_backups(&["usb1/docs", "usb2/docs"]);
    }

    /// Like `docs`, with these BACKUPs (all present).
    pub fn docs_with_backups(&self, backups: &[&str]) {
        for dir in std::iter::once(&"home/docs").chain(backups) {
            self.mkdir(dir);
        }
        self.config(&[("documents", &["home/docs"], backups)]);
    }

    pub fn mkdir(&self, rel: &str) -> PathBuf {
        let path = self.path(rel);
        fs::create_dir_all(&path).expect("mkdir");
        path
    }

    /// Writes a file, creating its parents.
    pub fn file(&self, rel: &str, content: &str) -> PathBuf {
        self.file_bytes(rel.as_bytes(), content.as_bytes())
    }

    /// Writes a file whose path may hold any bytes.
    pub fn file_bytes(&self, rel: &[u8], content: &[u8]) -> PathBuf {
        let path = self.path("").join(OsStr::from_bytes(rel));
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir parent");
        fs::write(&path, content).expect("write file");
        path
    }

    pub fn link(&self, rel: &str, target: &str) {
        symlink(target, self.path(rel)).expect("symlink");
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.path(rel).symlink_metadata().is_ok()
    }

    /// micsync with HOME and MICSYNC_CONFIG set, run from HOME, standard input not a terminal.
    pub fn micsync(&self) -> Command {
        let mut command = Command::from_std(self.process());
        command.write_stdin("");
        command
    }

    /// The same as a `std::process::Command`, for tests that spawn and signal it.
    pub fn process(&self) -> std::process::Command {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_micsync"));
        command
            .current_dir(self.home())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home())
            .env("MICSYNC_CONFIG", self.config_path())
            .env("NO_COLOR", "1");
        command
    }

    /// Runs micsync with `args` and returns its output, printing it for failing tests.
    pub fn run(&self, args: &[&str]) -> Run {
        let output = self.micsync().args(args).output().expect("run micsync");
        Run::new(args.iter().map(|a| a.to_string()).collect(), output)
    }

    /// A sparse file of `size` bytes: rsync reads and writes every byte, so a few GiB take long
    /// enough to interrupt.
    pub fn sparse_file(&self, rel: &str, size: u64) {
        fs::File::create(self.path(rel))
            .expect("create")
            .set_len(size)
            .expect("set_len");
    }

    /// Whether rsync's temporary file for `big.bin` (`.big.bin.XXXXXX`) is in `rel`.
    pub fn has_temp_file(&self, rel: &str) -> bool {
        fs::read_dir(self.path(rel)).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with(".big.bin."))
        })
    }

    /// Returns once rsync is writing `big.bin` into `rel`; fails after 30 seconds.
    pub fn wait_for_temp_file(&self, rel: &str) {
        let start = std::time::Instant::now();
        while !self.has_temp_file(rel) {
            assert!(
                start.elapsed() < std::time::Duration::from_secs(30),
                "the transfer never started"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// Every entry below `rel`, by relative path.
    pub fn tree(&self, rel: &str) -> BTreeMap<PathBuf, Node> {
        tree(&self.path(rel))
    }
}

/// The result of one run, with helpers that print everything when an assertion fails.
pub struct Run {
    pub args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// A run whose command the test built itself.
    pub fn from_output(args: &[&str], output: Output) -> Self {
        Run::new(args.iter().map(|a| a.to_string()).collect(), output)
    }

    fn new(args: Vec<String>, output: Output) -> Self {
        Run {
            args,
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    fn context(&self) -> String {
        format!(
            "micsync {:?}\nexit status: {}\n--- stdout\n{}--- stderr\n{}",
            self.args, self.code, self.stdout, self.stderr
        )
    }

    /// Asserts the exit status.
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code,
            expected,
            "unexpected exit status\n{}",
            self.context()
        );
        self
    }

    pub fn success(&self) -> &Self {
        self.code(0)
    }

    pub fn stdout_has(&self, text: &str) -> &Self {
        assert!(
            self.stdout.contains(text),
            "stdout lacks {text:?}\n{}",
            self.context()
        );
        self
    }

    pub fn stdout_lacks(&self, text: &str) -> &Self {
        assert!(
            !self.stdout.contains(text),
            "stdout has {text:?}\n{}",
            self.context()
        );
        self
    }

    pub fn stderr_has(&self, text: &str) -> &Self {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}\n{}",
            self.context()
        );
        self
    }
}

/// Every entry below `root`, by relative path (the root itself excluded).
pub fn tree(root: &Path) -> BTreeMap<PathBuf, Node> {
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Node>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("dir entry").path();
        let rel = path.strip_prefix(root).expect("below root").to_path_buf();
        let meta = path.symlink_metadata().expect("lstat");
        if meta.file_type().is_symlink() {
            out.insert(rel, Node::Link(fs::read_link(&path).expect("readlink")));
        } else if meta.is_dir() {
            out.insert(rel, Node::Dir);
            walk(root, &path, out);
        } else {
            out.insert(rel, Node::File(fs::read(&path).expect("read")));
        }
    }
}

/// Fails with how to install rsync when it is missing: tests never skip silently.
fn ensure_rsync() {
    if which::which("rsync").is_err() {
        panic!(
            "rsync is not installed: the tests run the real rsync; install it (apt-get install rsync)"
        );
    }
}
