//! Every exit status, and rsync missing or too old.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::testenv::TestEnv;

#[test]
fn nothing_to_do_is_success() {
    let env = TestEnv::new();
    env.docs();
    env.run(&["--backup", "docs"])
        .success()
        .stdout_has("nothing to change");
}

#[test]
fn usage_errors_are_status_2() {
    let env = TestEnv::new();
    env.docs();
    env.run(&["--backup"]).code(2);
    env.run(&["docs"]).code(2);
    env.run(&["--backup", "--work", "docs"]).code(2);
    env.run(&["--backup", "--frobnicate", "docs"]).code(2);
}

/// Makes `rel` a read-only directory that really refuses writes: a read-only tmpfs when
/// running as root (root ignores permissions), a mode-555 directory otherwise. Returns a guard
/// that unmounts.
fn read_only_dir(env: &TestEnv, rel: &str) -> impl Drop {
    struct Unmount(Option<std::path::PathBuf>);
    impl Drop for Unmount {
        fn drop(&mut self) {
            if let Some(path) = &self.0 {
                let _ = Command::new("umount").arg(path).status();
            }
        }
    }
    let path = env.mkdir(rel);
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    if is_root {
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "ro,size=1m", "micsync-test"])
            .arg(&path)
            .status()
            .expect("run mount");
        assert!(
            status.success(),
            "as root, the test mounts a read-only tmpfs at {}",
            path.display()
        );
        Unmount(Some(path))
    } else {
        fs::set_permissions(&path, fs::Permissions::from_mode(0o555)).expect("chmod");
        Unmount(None)
    }
}

#[test]
fn a_failing_destination_is_status_1_and_the_others_are_still_done() {
    let env = TestEnv::new();
    env.mkdir("home/docs");
    env.file("home/docs/a.txt", "a");
    env.mkdir("usb1/docs");
    env.config(&[("documents", &["home/docs"], &["ro/docs", "usb1/docs"])]);
    let _guard = read_only_dir(&env, "ro/docs");
    env.run(&["--backup", "docs"])
        .code(1)
        .stderr_has("rsync failed with exit status 23 (partial transfer due to error")
        .stderr_has("1 destination failed: ")
        .stdout_has("BACKUP ")
        .stdout_has("usb1/docs: done: 1 new");
    assert_eq!(env.read("usb1/docs/a.txt"), "a");
}

#[test]
fn a_question_without_a_terminal_is_status_2_and_no_answer_hangs() {
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/f", "changed");
    env.file("usb1/docs/f", "old");
    // Standard input at end of file, and standard input a pipe that stays open: neither hangs.
    env.run(&["--backup", "docs"]).code(2);
    let mut child = env
        .process()
        .args(["--backup", "docs"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status = wait_at_most(&mut child, Duration::from_secs(20));
    assert_eq!(status, Some(2));
    assert_eq!(env.read("usb1/docs/f"), "old");
}

fn wait_at_most(child: &mut std::process::Child, limit: Duration) -> Option<i32> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    panic!("micsync did not exit within {limit:?}");
}

#[test]
fn sigint_during_a_transfer_is_status_130_and_leaves_no_partial_file() {
    let env = TestEnv::new();
    env.docs();
    env.sparse_file("home/docs/big.bin", 4 << 30);
    let mut child = env
        .process()
        .args(["--backup", "docs"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until rsync is writing its temporary file, then interrupt micsync alone.
    env.wait_for_temp_file("usb1/docs");
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = wait_at_most(&mut child, Duration::from_secs(30));
    assert_eq!(status, Some(130));
    assert!(
        !env.exists("usb1/docs/big.bin"),
        "no half-written file under the final name"
    );
    assert!(
        !env.has_temp_file("usb1/docs"),
        "rsync removed its temporary file"
    );
    assert!(
        !env.exists("usb2/docs/big.bin"),
        "later destinations are not started"
    );
}

/// A PATH holding only a fake `rsync` (when `version` is given) and the tools tests need.
fn path_with_fake_rsync(env: &TestEnv, version: Option<&str>) -> String {
    let bin = env.mkdir("fakebin");
    if let Some(version) = version {
        let script = bin.join("rsync");
        fs::write(
            &script,
            format!("#!/bin/sh\necho 'rsync  version {version}  protocol version 31'\n"),
        )
        .unwrap();
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin.to_string_lossy().into_owned()
}

#[test]
fn missing_rsync_is_a_clear_error_before_anything_runs() {
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/a", "a");
    let path = path_with_fake_rsync(&env, None);
    env.micsync()
        .env("PATH", path)
        .args(["--backup", "docs"])
        .assert()
        .code(1)
        .stderr(
            predicates::str::contains("rsync was not found on PATH")
                .and(predicates::str::contains("apt-get install rsync")),
        );
    assert!(!env.exists("usb1/docs/a"));
}

#[test]
fn an_old_rsync_is_a_clear_error_before_anything_runs() {
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/a", "a");
    let path = path_with_fake_rsync(&env, Some("3.2.7"));
    env.micsync()
        .env("PATH", path)
        .args(["--backup", "docs"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "rsync 3.2.7 is too old: micsync needs 3.4.4 or newer",
        ));
    assert!(!env.exists("usb1/docs/a"));
}

use predicates::prelude::PredicateBooleanExt;

#[test]
fn a_reader_that_goes_away_ends_micsync_quietly() {
    let env = TestEnv::new();
    env.docs();
    // Long names, so that the plan is far larger than a pipe's 64 KiB buffer.
    for i in 0..3000 {
        env.file(
            &format!("home/docs/a-rather-long-file-name-to-fill-the-pipe-{i:04}"),
            "x",
        );
    }
    let output = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -o pipefail; '{}' --backup -n docs | head -n 1 >/dev/null; echo \"status ${{PIPESTATUS[0]}}\" >&2",
            env!("CARGO_BIN_EXE_micsync")
        ))
        .current_dir(env.home())
        .env("HOME", env.home())
        .env("MICSYNC_CONFIG", env.config_path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
        "{stderr}"
    );
    assert!(
        stderr.contains("status 141"),
        "ended by SIGPIPE like any filter: {stderr}"
    );
}
