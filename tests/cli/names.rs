//! Names with any byte a file name can hold are copied exactly and never taken as options.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::testenv::TestEnv;

const HOSTILE: [&[u8]; 14] = [
    b"with space",
    b"it's \"quoted\"",
    b"-n",
    b"--delete",
    b"-rf x",
    b"new\nline",
    b"carriage\rreturn",
    b"bad\xffbyte",
    b"#comment",
    b";semicolon",
    b"back\\slash \\#101",
    b"caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x93\x81",
    b"*deleting   x",
    b"a -> b",
];

#[test]
fn hostile_names_are_backed_up_exactly() {
    let env = TestEnv::new();
    env.docs();
    for (i, name) in HOSTILE.iter().enumerate() {
        let mut rel = b"home/docs/".to_vec();
        rel.extend_from_slice(name);
        env.file_bytes(&rel, format!("content {i}").as_bytes());
        let mut nested = b"home/docs/dir ".to_vec();
        nested.extend_from_slice(name);
        nested.extend_from_slice(b"/inner");
        env.file_bytes(&nested, b"inner");
    }
    env.run(&["--backup", "docs"]).success();
    assert_eq!(env.tree("usb1/docs"), env.tree("home/docs"));
    assert_eq!(env.tree("usb2/docs"), env.tree("home/docs"));
}

#[test]
fn hostile_names_are_modified_and_deleted_exactly() {
    let env = TestEnv::new();
    env.docs();
    for name in HOSTILE {
        let mut work = b"home/docs/".to_vec();
        work.extend_from_slice(name);
        env.file_bytes(&work, b"new content");
        let mut backup = b"usb1/docs/".to_vec();
        backup.extend_from_slice(name);
        env.file_bytes(&backup, b"old");
        let mut only = b"usb1/docs/only ".to_vec();
        only.extend_from_slice(name);
        env.file_bytes(&only, b"only in backup");
    }
    env.run(&["--work", "-mD", "--from", "../usb1/docs", "docs"])
        .success();
    // --work copies from the BACKUP: WORKING now equals it, deletions included.
    assert_eq!(env.tree("home/docs"), env.tree("usb1/docs"));
    env.run(&["--transfer", "-mD", "--to", "../usb2/docs", "../usb1/docs"])
        .success();
    assert_eq!(env.tree("usb2/docs"), env.tree("usb1/docs"));
}

#[test]
fn a_hostile_path_given_on_the_command_line_is_synchronised_alone() {
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/-n", "dash");
    env.file("home/docs/other", "other");
    let path = env.path("home/docs/-n");
    env.micsync()
        .args(["--backup", "--"])
        .arg(OsStr::from_bytes(path.as_os_str().as_bytes()))
        .assert()
        .success();
    assert_eq!(env.read("usb1/docs/-n"), "dash");
    assert!(!env.exists("usb1/docs/other"));
}

#[test]
fn plan_listings_show_control_characters_escaped_on_one_line() {
    let env = TestEnv::new();
    env.docs();
    env.file_bytes(b"home/docs/new\nline", b"x");
    env.file_bytes(b"home/docs/bad\xffbyte", b"x");
    env.run(&["--backup", "-n", "docs"])
        .success()
        .stdout_has("+ new\\nline")
        .stdout_has("+ bad\\xffbyte");
}
