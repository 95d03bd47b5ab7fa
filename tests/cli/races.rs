//! What changes between the plan and the transfer (while the user answers, say) is never
//! overwritten or deleted without approval. An `rsync` wrapper first on PATH makes the change
//! just before the first real (not dry) run, then runs the real rsync.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::testenv::TestEnv;

/// Runs micsync with `args`, with `race` (a shell command) run once before the first transfer.
fn run_with_race(env: &TestEnv, args: &[&str], race: &str) -> crate::testenv::Run {
    let bin = env.mkdir("racebin");
    let real = which::which("rsync").expect("rsync is installed");
    let script = bin.join("rsync");
    fs::write(
        &script,
        format!(
            "#!/bin/sh\ncase \" $* \" in\n  *' --dry-run '*|*' --version '*) ;;\n  *) if [ ! -e \"$RACE_DONE\" ]; then : > \"$RACE_DONE\"; sh -c \"$RACE\"; fi ;;\nesac\nexec '{}' \"$@\"\n",
            real.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = env
        .micsync()
        .env("PATH", path)
        .env("RACE", race)
        .env("RACE_DONE", env.path("race.done"))
        .args(args)
        .output()
        .unwrap();
    assert!(env.exists("race.done"), "the race command ran");
    crate::testenv::Run::from_output(args, output)
}

#[test]
fn a_file_that_appears_where_a_new_one_goes_is_not_overwritten() {
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/report.txt", "work version");
    let race = format!(
        "echo edited > '{}'",
        env.path("usb1/docs/report.txt").display()
    );
    run_with_race(&env, &["--backup", "-k", "docs"], &race).success();
    assert_eq!(env.read("usb1/docs/report.txt"), "edited\n");
    assert_eq!(env.read("usb2/docs/report.txt"), "work version");
}

#[test]
fn a_folder_that_appears_where_a_new_file_goes_is_not_removed() {
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/x", "work version");
    let dir = env.path("usb1/docs/x/sub");
    let race = format!("mkdir -p '{0}' && echo precious > '{0}/p'", dir.display());
    run_with_race(&env, &["--backup", "-k", "docs"], &race);
    assert_eq!(env.read("usb1/docs/x/sub/p"), "precious\n");
}

#[test]
fn a_file_that_appears_in_a_folder_to_be_deleted_stops_the_deletion() {
    let env = TestEnv::new();
    env.docs_with_backups(&["usb1/docs", "usb2/docs", "usb3/docs"]);
    for usb in ["usb1", "usb2", "usb3"] {
        env.file(&format!("{usb}/docs/keep"), "k");
    }
    for usb in ["usb2", "usb3"] {
        env.file(&format!("{usb}/docs/old/o"), "o");
    }
    // The change lands in usb3 while usb2 is being changed: usb3's check must see it.
    let race = format!(
        "echo new > '{}'",
        env.path("usb3/docs/old/brand-new").display()
    );
    let args = [
        "--transfer",
        "-D",
        "--max-delete",
        "10",
        "--to",
        "../usb2/docs",
        "--to",
        "../usb3/docs",
        "../usb1/docs",
    ];
    run_with_race(&env, &args, &race)
        .code(1)
        .stderr_has("old/brand-new appeared in a folder to be deleted");
    assert!(
        !env.exists("usb2/docs/old"),
        "the other destination is still done"
    );
    assert_eq!(env.read("usb3/docs/old/brand-new"), "new\n");
    assert_eq!(
        env.read("usb3/docs/old/o"),
        "o",
        "nothing changed at that destination"
    );
}
