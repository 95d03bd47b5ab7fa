//! An unplugged disk must not look like an empty backup: a location below an fstab mount point
//! with nothing mounted is not accessible; an empty BACKUP is flagged.

use std::fs;

use crate::system::Tmpfs;
use crate::testenv::TestEnv;

/// WORKING `home/docs`; BACKUPs `usb 1/docs` (below the fstab mount point `usb 1`, written
/// with fstab's `\040` for the space) and `usb2/docs`.
fn world_with_an_fstab() -> (TestEnv, String) {
    let env = TestEnv::new();
    env.mkdir("home/docs");
    env.mkdir("usb 1/docs");
    env.mkdir("usb2/docs");
    env.file("home/docs/a", "a");
    env.config(&[("documents", &["home/docs"], &["usb 1/docs", "usb2/docs"])]);
    let point = env.path("usb 1").to_str().unwrap().replace(' ', "\\040");
    let fstab = env.path("fstab");
    fs::write(
        &fstab,
        format!("# test fstab\nUUID=0 / ext4 defaults 0 1\nLABEL=usb1 {point} vfat noauto 0 0\n"),
    )
    .unwrap();
    (env, fstab.to_str().unwrap().to_string())
}

#[test]
fn a_location_below_an_fstab_mount_point_with_nothing_mounted_is_skipped() {
    let (env, fstab) = world_with_an_fstab();
    let run = env
        .micsync()
        .env("MICSYNC_FSTAB", &fstab)
        .args(["--backup", "docs"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("usb 1/docs: skipped, not accessible (not mounted?)"),
        "{stdout}"
    );
    assert!(stdout.contains("usb2/docs: done: 1 new"), "{stdout}");
    assert!(
        env.tree("usb 1").keys().all(|k| k.as_os_str() == "docs"),
        "nothing is written below the empty mount point"
    );
}

#[test]
fn needs_root_the_same_location_is_used_once_something_is_mounted_there() {
    let (env, fstab) = world_with_an_fstab();
    let _mount = Tmpfs::mount(&env.path("usb 1"), "size=1m");
    env.mkdir("usb 1/docs");
    let run = env
        .micsync()
        .env("MICSYNC_FSTAB", &fstab)
        .args(["--backup", "docs"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("usb 1/docs: done: 1 new"), "{stdout}");
    assert_eq!(env.read("usb 1/docs/a"), "a");
}

#[test]
fn an_empty_backup_is_flagged_in_its_plan() {
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/a", "a");
    env.file("usb2/docs/old", "old");
    env.run(&["--backup", "-n", "docs"])
        .success()
        .stdout_has("(the same plan for each)\n  new: 1 entry, 1 B\n    + a\n")
        .stdout_has("usb1/docs: empty: is the disk mounted?\n")
        .stdout_lacks("usb2/docs: empty");
    env.run(&["--work", "-n", "--from", "../usb1/docs", "docs"])
        .success()
        .stdout_has("usb1/docs (the source): empty: is the disk mounted?");
}
