//! The mass-deletion guard: an empty source mirrored with `-D` over a full destination stops
//! before anything changes there, until `--max-delete` allows it.

use crate::testenv::TestEnv;

/// WORKING `home/docs` with four files; BACKUP `usb1/docs` empty, `usb2/docs` holding `keep`.
fn full_working_and_an_empty_backup() -> TestEnv {
    let env = TestEnv::new();
    env.docs();
    for name in ["a", "b", "sub/c"] {
        env.file(&format!("home/docs/{name}"), name);
    }
    env.file("usb2/docs/keep", "keep");
    env
}

#[test]
fn an_empty_source_over_a_full_destination_stops_and_is_then_allowed() {
    let env = full_working_and_an_empty_backup();
    let before = env.tree("home/docs");
    env.run(&["--work", "-D", "--from", "../usb1/docs", "docs"])
        .code(1)
        .stderr_has("WORKING ")
        .stderr_has(
            "home/docs: stopped before changing anything there: 4 entries would be deleted, \
             more than half of the 4 it holds under the given paths",
        )
        .stderr_has("use --max-delete 4 to allow it")
        .stderr_has("1 destination failed");
    assert_eq!(env.tree("home/docs"), before, "nothing changed");

    env.run(&[
        "--work",
        "-D",
        "--max-delete",
        "3",
        "--from",
        "../usb1/docs",
        "docs",
    ])
    .code(1)
    .stderr_has("(--max-delete 3 allows only 3)");
    assert_eq!(env.tree("home/docs"), before, "nothing changed");

    env.run(&[
        "--work",
        "-D",
        "--max-delete",
        "4",
        "--from",
        "../usb1/docs",
        "docs",
    ])
    .success()
    .stdout_has("done: 0 new, 0 modified, 4 deleted");
    assert!(env.tree("home/docs").is_empty());
}

#[test]
fn the_guard_stops_only_its_destination() {
    let env = TestEnv::new();
    env.docs_with_backups(&["usb1/docs", "usb2/docs", "usb3/docs"]);
    for name in ["a", "b", "c", "d"] {
        env.file(&format!("usb1/docs/{name}"), name);
    }
    // usb2 loses its only entry: stopped. usb3 loses 1 of 4: done.
    env.file("usb2/docs/keep", "keep");
    for name in ["a", "b", "c", "x"] {
        env.file(&format!("usb3/docs/{name}"), name);
    }
    env.run(&[
        "--transfer",
        "-D",
        "-m",
        "--to",
        "../usb2/docs",
        "--to",
        "../usb3/docs",
        "../usb1/docs",
    ])
    .code(1)
    .stderr_has("usb2/docs: stopped before changing anything there: 1 entry would be deleted")
    .stdout_has("usb3/docs: done: 1 new, ")
    .stdout_has(" modified, 1 deleted");
    assert_eq!(env.read("usb2/docs/keep"), "keep");
    assert!(
        !env.exists("usb2/docs/a"),
        "nothing at all changes at a stopped destination"
    );
    assert_eq!(env.tree("usb3/docs"), env.tree("usb1/docs"));
}

#[test]
fn a_dry_run_shows_where_the_guard_would_stop() {
    let env = full_working_and_an_empty_backup();
    env.run(&["--work", "-n", "-D", "--from", "../usb1/docs", "docs"])
        .success()
        .stderr_has("use --max-delete 4 to allow it")
        .stdout_has("Dry run: nothing was changed.");
}

#[test]
fn max_delete_is_for_actions_that_delete() {
    let env = full_working_and_an_empty_backup();
    env.run(&["--backup", "--max-delete", "3", "docs"]).code(2);
}
