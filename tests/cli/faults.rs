//! rsync failing at a destination, rsync or micsync killed mid-transfer: each failure is
//! reported with the destination, rsync's message and status; the other destinations are still
//! done; and no half-written file is ever left under its final name.

use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::system::{Tmpfs, require_root};
use crate::testenv::TestEnv;

const GIB: u64 = 1 << 30;

/// WORKING `home/docs` holding a sparse `big.bin` of `size` bytes; one BACKUP, `usb1/docs`.
fn big_file_world(size: u64) -> TestEnv {
    let env = TestEnv::new();
    env.mkdir("home/docs");
    env.mkdir("usb1/docs");
    env.config(&[("documents", &["home/docs"], &["usb1/docs"])]);
    env.sparse_file("home/docs/big.bin", size);
    env
}

/// Starts `micsync --backup docs` and returns once rsync is writing `big.bin`.
fn start_big_transfer(env: &TestEnv) -> Child {
    let child = env
        .process()
        .args(["--backup", "docs"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    env.wait_for_temp_file("usb1/docs");
    child
}

/// Waits for micsync and returns its exit status and standard error.
fn finish(mut child: Child) -> (Option<i32>, String) {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("micsync did not exit");
        }
        thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{name} {pid}");
}

/// The rsync that micsync started.
fn rsync_child(micsync: &Child) -> u32 {
    let output = Command::new("pgrep")
        .args(["-P", &micsync.id().to_string(), "rsync"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .next()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("no rsync child of micsync: {text:?}"))
}

fn assert_same_file(a: &Path, b: &Path) {
    let status = Command::new("cmp")
        .arg("-s")
        .arg(a)
        .arg(b)
        .status()
        .unwrap();
    assert!(
        status.success(),
        "{} differs from {}",
        a.display(),
        b.display()
    );
}

#[test]
fn rsync_killed_mid_transfer_leaves_a_partial_that_the_next_run_resumes() {
    let env = big_file_world(GIB);
    let micsync = start_big_transfer(&env);
    signal(rsync_child(&micsync), "KILL");
    let (code, stderr) = finish(micsync);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("rsync was killed by signal 9"), "{stderr}");
    assert!(
        stderr.contains("usb1/docs: "),
        "names the destination: {stderr}"
    );
    assert!(
        !env.exists("usb1/docs/big.bin"),
        "no half-written file under the final name"
    );
    assert!(
        env.exists("usb1/docs/.micsync-partial/big.bin"),
        "the partial is kept"
    );
    assert!(!env.has_temp_file("usb1/docs"));

    env.run(&["--backup", "docs"])
        .success()
        .stdout_has("+ big.bin")
        .stdout_lacks(".micsync-partial")
        .stdout_has("done: 1 new");
    assert_same_file(
        &env.path("home/docs/big.bin"),
        &env.path("usb1/docs/big.bin"),
    );
    assert!(
        !env.exists("usb1/docs/.micsync-partial"),
        "the partial is used up"
    );
}

#[test]
fn sigterm_to_micsync_is_status_130_and_keeps_only_a_partial() {
    let env = big_file_world(GIB);
    let micsync = start_big_transfer(&env);
    signal(micsync.id(), "TERM");
    let (code, stderr) = finish(micsync);
    assert_eq!(code, Some(130), "{stderr}");
    assert!(
        !env.exists("usb1/docs/big.bin"),
        "no half-written file under the final name"
    );
    assert!(!env.has_temp_file("usb1/docs"));
    assert!(env.exists("usb1/docs/.micsync-partial/big.bin"));
    env.run(&["--backup", "-n", "docs"])
        .success()
        .stdout_has("new: 1 entry, 1.0 GiB\n    + big.bin\n")
        .stdout_lacks(".micsync-partial");
    // Nor is it copied from a BACKUP that holds one.
    env.run(&["--work", "-n", "docs"])
        .success()
        .stdout_lacks(".micsync-partial");
}

/// WORKING `home/docs` with a 3 MB `big`; BACKUPs `usb1/docs` (on a 2 MiB tmpfs, holding an
/// older 500 KB `big`) and `usb2/docs`.
#[test]
fn needs_root_a_full_disk_fails_its_destination_keeps_the_old_file_and_the_others_are_done() {
    let env = TestEnv::new();
    env.docs();
    let _disk = Tmpfs::mount(&env.path("usb1"), "size=2m");
    env.mkdir("usb1/docs");
    let old: Vec<u8> = (0..500_000u32).map(|i| (i % 7) as u8).collect();
    fs::write(env.path("usb1/docs/big"), &old).unwrap();
    let new: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    fs::write(env.path("home/docs/big"), &new).unwrap();
    env.run(&["--backup", "-m", "docs"])
        .code(1)
        .stderr_has("usb1/docs: rsync failed with exit status 11 (error in file I/O; disk full)")
        .stderr_has("No space left on device")
        .stderr_has("1 destination failed")
        .stdout_has("usb2/docs: done: 1 new");
    assert_eq!(
        fs::read(env.path("usb1/docs/big")).unwrap(),
        old,
        "the old file is intact"
    );
    assert_eq!(fs::read(env.path("usb2/docs/big")).unwrap(), new);
    assert!(!env.has_temp_file("usb1/docs"));
}

#[test]
fn needs_root_a_read_only_destination_is_named_with_rsyncs_message() {
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/a", "a");
    let _ro = Tmpfs::mount(&env.path("usb1/docs"), "ro,size=1m");
    env.run(&["--backup", "docs"])
        .code(1)
        .stderr_has("usb1/docs: rsync failed with exit status 23 (partial transfer due to error; read-only file system)")
        .stderr_has("Read-only file system (30)")
        .stdout_has("usb2/docs: done: 1 new");
}

#[test]
fn needs_root_permission_denied_as_an_unprivileged_user() {
    require_root("run micsync as the unprivileged user nobody (root ignores permissions)");
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/a", "a");
    // usb2 belongs to nobody; usb1 stays root's, mode 755.
    let status = Command::new("chown")
        .arg("nobody")
        .arg(env.path("usb2/docs"))
        .status()
        .unwrap();
    assert!(status.success());
    let output = Command::new("runuser")
        .args(["-u", "nobody", "--", "env"])
        .arg(format!("HOME={}", env.home().display()))
        .arg(format!("MICSYNC_CONFIG={}", env.config_path().display()))
        .arg(format!("PATH={}", std::env::var("PATH").unwrap()))
        .arg("NO_COLOR=1")
        .arg(env!("CARGO_BIN_EXE_micsync"))
        .args(["--backup", "docs"])
        .current_dir(env.home())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("usb1/docs: rsync failed with exit status 23 (partial transfer due to error; permission denied)"),
        "{stderr}"
    );
    assert!(stderr.contains("Permission denied (13)"), "{stderr}");
    assert!(stdout.contains("usb2/docs: done: 1 new"), "{stdout}");
    assert!(!env.exists("usb1/docs/a"));
}
