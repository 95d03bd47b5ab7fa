//! The history: lines written by real runs and read back with `--history`, a corrupt line,
//! and the XDG state directory.

use std::fs;
use std::io::Write;

use serde_json::Value;

use crate::testenv::TestEnv;

fn history_lines(env: &TestEnv) -> Vec<Value> {
    let file = env.home().join(".local/state/micsync/history.jsonl");
    fs::read_to_string(&file)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON record per line"))
        .collect()
}

/// A backup that overwrites `mod.txt`, then a `--work -D` that deletes `stale.txt` from WORKING.
fn overwrite_then_delete() -> TestEnv {
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/mod.txt", "changed");
    env.file("home/docs/new.txt", "new");
    env.file("home/docs/stale.txt", "x");
    for usb in ["usb1", "usb2"] {
        env.file(&format!("{usb}/docs/mod.txt"), "old");
    }
    env.run(&["--backup", "-m", "--to", "../usb1/docs", "docs"])
        .success();
    fs::remove_file(env.path("usb1/docs/stale.txt")).expect("rm");
    env.run(&["--work", "-D", "--from", "../usb1/docs", "docs"])
        .success();
    env
}

#[test]
fn runs_that_change_something_are_recorded_with_what_they_overwrote_and_deleted() {
    let env = overwrite_then_delete();
    let lines = history_lines(&env);
    assert_eq!(lines.len(), 2, "{lines:?}");
    let backup = &lines[0];
    assert_eq!(backup["action"], "backup");
    assert_eq!(backup["config"], "documents");
    assert_eq!(
        backup["source"],
        env.path("home/docs").display().to_string()
    );
    let dest = &backup["destinations"][0];
    assert_eq!(dest["path"], env.path("usb1/docs").display().to_string());
    assert_eq!(dest["status"], "ok");
    assert_eq!(
        (&dest["new"], &dest["modified"], &dest["deleted"]),
        (&2.into(), &1.into(), &0.into())
    );
    assert_eq!(dest["bytes"], "changed".len() + "new".len() + "x".len());
    assert_eq!(dest["overwritten_paths"], serde_json::json!(["mod.txt"]));
    let work = &lines[1];
    assert_eq!(work["action"], "work");
    let dest = &work["destinations"][0];
    assert_eq!(dest["path"], env.path("home/docs").display().to_string());
    assert_eq!(dest["deleted"], 1);
    assert_eq!(dest["deleted_paths"], serde_json::json!(["stale.txt"]));
}

#[test]
fn nothing_to_do_and_dry_runs_are_not_recorded() {
    let env = TestEnv::new();
    env.docs();
    env.run(&["--backup", "docs"]).success();
    env.file("home/docs/a.txt", "a");
    env.run(&["--backup", "-n", "docs"]).success();
    assert!(history_lines(&env).is_empty());
    env.run(&["--history"])
        .success()
        .stdout_has("No run has been recorded");
}

#[test]
fn history_shows_the_last_runs_readably_and_as_json() {
    let env = overwrite_then_delete();
    let usb1 = env.path("usb1/docs").display().to_string();
    env.run(&["--history"])
        .success()
        .stdout_has("--backup \"documents\" from ")
        .stdout_has(&format!("{usb1}: done: 2 new, 1 modified, 0 deleted"))
        .stdout_has("~ mod.txt")
        .stdout_has("--work \"documents\" from ")
        .stdout_has("- stale.txt");
    let last = env.run(&["--history", "1"]);
    last.success().stdout_lacks("--backup");
    let json = env.run(&["--history", "--json"]);
    json.success();
    let records: Value = serde_json::from_str(&json.stdout).expect("JSON");
    let actions: Vec<&str> = records
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["backup", "work"]);
}

#[test]
fn a_corrupt_line_costs_only_itself() {
    let env = overwrite_then_delete();
    let file = env.home().join(".local/state/micsync/history.jsonl");
    let text = fs::read_to_string(&file).expect("history");
    let (first, second) = text.split_once('\n').expect("two lines");
    fs::write(
        &file,
        format!("{first}\n{{\"time\": \"trunc\n\u{0}garbage\n{second}"),
    )
    .expect("write");
    let run = env.run(&["--history", "--json"]);
    run.success()
        .stderr_has("2 lines in ")
        .stderr_has("could not be read");
    let records: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(records.as_array().expect("array").len(), 2);
    env.file("home/docs/later.txt", "l");
    env.run(&["--backup", "-k", "docs"]).success();
    let mut appended = fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .expect("open");
    appended.write_all(b"not json").expect("append");
    env.run(&["--history", "1"]).success().stdout_has("1 new");
}

#[test]
fn the_xdg_state_directory_is_respected() {
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/a.txt", "a");
    let state = env.path("state");
    let output = env
        .micsync()
        .env("XDG_STATE_HOME", &state)
        .args(["--backup", "docs"])
        .output()
        .expect("run");
    assert!(output.status.success());
    assert!(state.join("micsync/history.jsonl").is_file());
    assert!(history_lines(&env).is_empty());
}

#[test]
fn a_file_that_replaces_a_folder_is_recorded_as_overwritten() {
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/x", "now a file");
    env.file("usb1/docs/x/deep", "was in a folder");
    env.run(&["--backup", "-m", "--to", "../usb1/docs", "docs"])
        .success();
    let lines = history_lines(&env);
    let dest = &lines[0]["destinations"][0];
    assert_eq!(
        (&dest["modified"], &dest["deleted"]),
        (&1.into(), &1.into())
    );
    assert_eq!(dest["overwritten_paths"], serde_json::json!(["x"]));
    assert_eq!(dest["deleted_paths"], serde_json::json!([]));
}
