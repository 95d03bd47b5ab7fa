//! `--status`: up-to-date, stale and unplugged BACKUPs, with counts checked against the real
//! trees, as a table and as JSON, and its exit statuses (0, 4, 1).

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use serde_json::Value;

use crate::testenv::{Node, TestEnv};

fn json(env: &TestEnv, args: &[&str], code: i32) -> Value {
    let mut all = vec!["--status", "--json"];
    all.extend_from_slice(args);
    let run = env.run(&all);
    run.code(code);
    serde_json::from_str(&run.stdout).expect("--status --json prints JSON")
}

/// The comparison of WORKING with the BACKUP at `backup` (relative to the test root).
fn comparison<'a>(report: &'a Value, env: &TestEnv, backup: &str) -> &'a Value {
    let path = env.path(backup).display().to_string();
    report["configs"][0]["comparisons"]
        .as_array()
        .expect("comparisons")
        .iter()
        .find(|c| c["backup"] == path.as_str())
        .unwrap_or_else(|| panic!("no comparison with {path}: {report}"))
}

/// (entries, bytes) new in `work`, modified, and only in `backup`, from the trees themselves.
fn expected(env: &TestEnv, work: &str, backup: &str) -> [(usize, u64); 3] {
    let work = env.tree(work);
    let backup = env.tree(backup);
    let size = |node: &Node| match node {
        Node::File(data) => data.len() as u64,
        _ => 0,
    };
    let sum = |items: Vec<(&PathBuf, &Node)>| {
        (items.len(), items.iter().map(|(_, n)| size(n)).sum::<u64>())
    };
    let only = |a: &BTreeMap<PathBuf, Node>, b: &BTreeMap<PathBuf, Node>| {
        sum(a.iter().filter(|(p, _)| !b.contains_key(*p)).collect())
    };
    let modified = sum(work
        .iter()
        .filter(|(p, n)| backup.get(*p).is_some_and(|m| m != *n))
        .collect());
    [only(&work, &backup), modified, only(&backup, &work)]
}

fn counts(c: &Value) -> [(usize, u64); 3] {
    ["new", "modified", "only_in_backup"].map(|key| {
        (
            c[key]["entries"].as_u64().unwrap() as usize,
            c[key]["bytes"].as_u64().unwrap(),
        )
    })
}

#[test]
fn up_to_date_backups_are_status_0() {
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/thesis/ch1.tex", "chapter one");
    env.run(&["--backup", "docs"]).success();
    let run = env.run(&["--status"]);
    run.success()
        .stdout_has("Every accessible BACKUP is up to date.");
    assert_eq!(
        run.stdout.matches("up to date").count(),
        3,
        "{}",
        run.stdout
    );
    let report = json(&env, &[], 0);
    assert_eq!(report["up_to_date"], true);
    for usb in ["usb1/docs", "usb2/docs"] {
        let c = comparison(&report, &env, usb);
        assert_eq!(counts(c), [(0, 0); 3]);
        assert_eq!(c["up_to_date"], true);
    }
}

#[test]
fn stale_backups_are_counted_as_the_trees_differ_and_are_status_4() {
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/same.txt", "same");
    env.file("home/docs/mod.txt", "old");
    env.run(&["--backup", "docs"]).success();
    env.file("home/docs/mod.txt", "changed, and longer");
    env.file("home/docs/new/deep/a.txt", "aaaa");
    env.file("home/docs/b.txt", "bb");
    env.file("usb1/docs/only.txt", "only in the backup");
    env.mkdir("usb2/docs/only-dir");
    let report = json(&env, &[], 4);
    assert_eq!(report["up_to_date"], false);
    for usb in ["usb1/docs", "usb2/docs"] {
        let c = comparison(&report, &env, usb);
        assert_eq!(counts(c), expected(&env, "home/docs", usb), "{usb}: {c}");
        assert_eq!(c["up_to_date"], false);
        assert_eq!(c["error"], Value::Null);
    }
    assert_eq!(counts(comparison(&report, &env, "usb1/docs"))[0], (4, 6));
    env.run(&["--status"])
        .code(4)
        .stdout_has("behind: 4 new (6 B), 1 modified (19 B), 1 only here (18 B)")
        .stdout_has("Some accessible BACKUP is behind");
}

#[test]
fn paths_limit_the_comparison() {
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/sub/a.txt", "a");
    env.file("home/docs/other.txt", "o");
    env.run(&["--backup", "docs/sub"]).success();
    json(&env, &["docs/sub"], 0);
    let report = json(&env, &["docs"], 4);
    assert_eq!(counts(comparison(&report, &env, "usb1/docs"))[0], (1, 1));
}

#[test]
fn unplugged_backups_are_listed_and_not_compared() {
    let env = TestEnv::new();
    env.mkdir("home/docs");
    env.mkdir("usb1/docs");
    env.config(&[("documents", &["home/docs"], &["usb1/docs", "usb2/docs"])]);
    env.file("home/docs/a.txt", "a");
    env.run(&["--backup", "docs"]).success();
    let report = json(&env, &[], 0);
    let locations = report["configs"][0]["locations"].as_array().unwrap();
    let accessible: Vec<bool> = locations
        .iter()
        .map(|l| l["accessible"].as_bool().unwrap())
        .collect();
    assert_eq!(accessible, [true, true, false]);
    assert!(locations[1]["last_backup"].is_string(), "{report}");
    assert_eq!(locations[2]["last_backup"], Value::Null);
    assert_eq!(
        report["configs"][0]["comparisons"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let usb2 = env.path("usb2/docs").display().to_string();
    let run = env.run(&["--status"]);
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains(&usb2))
        .expect("usb2 row");
    assert!(
        line.contains("not accessible") && line.contains("no backup recorded"),
        "{line}"
    );
    assert!(!env.exists("usb2/docs"), "status never creates a location");

    fs::remove_file(env.path("usb1/docs/a.txt")).expect("rm");
    fs::remove_dir(env.path("usb1/docs")).expect("unplug usb1");
    env.run(&["--status"])
        .code(1)
        .stderr_has("nothing could be compared");
}

#[test]
fn options_it_does_not_take_are_usage_errors() {
    let env = TestEnv::new();
    env.docs();
    env.run(&["--status", "-m"]).code(2);
    env.run(&["--status", "--to", "../usb1/docs"]).code(2);
}
