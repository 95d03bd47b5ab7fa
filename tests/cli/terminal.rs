//! The experience at a terminal: the real binary in a pseudo-terminal, answering its questions
//! with keys, and the resulting trees and exit statuses.

use std::fs;
use std::process::Command;
use std::thread;
use std::time::Duration;

use rexpect::session::{PtySession, spawn_command};

use crate::testenv::TestEnv;

/// micsync in a pseudo-terminal, through bash so that its exit status is printed as `EXIT:n`
/// (bash carries on after a child that handled Ctrl-C itself).
fn spawn(env: &TestEnv, args: &[&str], vars: &[(&str, &str)]) -> PtySession {
    let mut words = vec![env!("CARGO_BIN_EXE_micsync")];
    words.extend_from_slice(args);
    let mut command = Command::new("bash");
    command
        .arg("--norc")
        .arg("-c")
        .arg(format!("{}; echo \"EXIT:$?\"", shell_words::join(words)))
        .current_dir(env.home())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", env.home())
        .env("MICSYNC_CONFIG", env.config_path())
        .env("TERM", "xterm-256color")
        .env("PAGER", "cat");
    for (key, value) in vars {
        command.env(key, value);
    }
    spawn_command(command, Some(30_000)).expect("spawn in a pseudo-terminal")
}

/// Sends keys and waits for the exit status line; returns everything printed before it.
fn finish(session: &mut PtySession, expected: i32) -> String {
    let output = session.exp_string("EXIT:").expect("micsync ends");
    let status = session.exp_regex(r"^\d+").expect("an exit status").1;
    assert_eq!(
        status,
        expected.to_string(),
        "exit status; output:\n{output}"
    );
    output
}

/// The text without ANSI escape sequences (colours, cursor movements).
fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn key(session: &mut PtySession, keys: &str) {
    session.send(keys).unwrap();
    session.flush().unwrap();
}

/// WORKING has a new file and a modified one; the BACKUP the old version and its own file.
fn diverged() -> TestEnv {
    let env = TestEnv::new();
    env.mkdir("home/docs");
    env.mkdir("usb1/docs");
    env.config(&[("documents", &["home/docs"], &["usb1/docs"])]);
    env.file("home/docs/new.txt", "new");
    env.file("home/docs/mod.txt", "changed in working");
    env.file("usb1/docs/mod.txt", "old");
    env.file("usb1/docs/only.txt", "only in backup");
    env
}

#[test]
fn yes_to_the_modified_question_overwrites() {
    let env = diverged();
    let mut s = spawn(&env, &["--backup", "docs"], &[]);
    s.exp_string("Overwrite 1 modified entry in BACKUP")
        .unwrap();
    key(&mut s, "y");
    finish(&mut s, 0);
    assert_eq!(env.read("usb1/docs/mod.txt"), "changed in working");
    assert_eq!(env.read("usb1/docs/new.txt"), "new");
}

#[test]
fn no_to_the_modified_question_still_copies_new_entries() {
    let env = diverged();
    let mut s = spawn(&env, &["--backup", "docs"], &[]);
    s.exp_string("Overwrite 1 modified entry").unwrap();
    key(&mut s, "n");
    finish(&mut s, 0);
    assert_eq!(env.read("usb1/docs/mod.txt"), "old");
    assert_eq!(env.read("usb1/docs/new.txt"), "new");
}

#[test]
fn escape_at_the_modified_question_quits_and_changes_nothing() {
    let env = diverged();
    let mut s = spawn(&env, &["--backup", "docs"], &[]);
    s.exp_string("Overwrite 1 modified entry").unwrap();
    key(&mut s, "\x1b");
    finish(&mut s, 3);
    assert!(!env.exists("usb1/docs/new.txt"));
}

#[test]
fn the_deletion_question_takes_y_n_and_q() {
    for (answer, status, deleted) in [("y", 0, true), ("n", 0, false), ("q", 3, false)] {
        let env = diverged();
        let mut s = spawn(&env, &["--work", "-m", "-d", "docs"], &[]);
        s.exp_string("Delete 1 entry found only in WORKING")
            .unwrap();
        key(&mut s, answer);
        finish(&mut s, status);
        assert_eq!(!env.exists("home/docs/new.txt"), deleted, "answer {answer}");
        assert_eq!(
            env.exists("home/docs/only.txt"),
            status == 0,
            "answer {answer}: the copy runs unless quit"
        );
    }
}

#[test]
fn a_location_is_chosen_from_a_menu_with_arrows_and_enter() {
    let env = TestEnv::new();
    env.docs();
    env.file("usb1/docs/from1", "1");
    env.file("usb2/docs/from2", "2");
    let mut s = spawn(&env, &["--work", "docs"], &[]);
    s.exp_string("Which source?").unwrap();
    s.exp_string("usb2/docs").unwrap();
    key(&mut s, "\x1b[B");
    thread::sleep(Duration::from_millis(100));
    key(&mut s, "\r");
    finish(&mut s, 0);
    assert!(env.exists("home/docs/from2") && !env.exists("home/docs/from1"));
}

#[test]
fn q_in_a_menu_quits() {
    let env = TestEnv::new();
    env.docs();
    env.file("usb1/docs/from1", "1");
    let mut s = spawn(&env, &["--work", "docs"], &[]);
    s.exp_string("Which source?").unwrap();
    key(&mut s, "q");
    finish(&mut s, 3);
    assert!(!env.exists("home/docs/from1"));
}

#[test]
fn ctrl_c_at_a_question_changes_nothing_and_exits_130() {
    let env = diverged();
    let mut s = spawn(&env, &["--backup", "docs"], &[]);
    s.exp_string("Overwrite 1 modified entry").unwrap();
    s.send_control('c').unwrap();
    finish(&mut s, 130);
    assert!(!env.exists("usb1/docs/new.txt"));
    assert_eq!(env.read("usb1/docs/mod.txt"), "old");
}

/// A 2 GiB sparse file: rsync reads and writes every byte, which takes long enough to watch.
fn big_file(env: &TestEnv) {
    env.docs();
    env.sparse_file("home/docs/big.bin", 2 << 30);
}

#[test]
fn ctrl_c_during_a_transfer_stops_rsync_and_leaves_no_partial_file() {
    let env = TestEnv::new();
    big_file(&env);
    let mut s = spawn(&env, &["--backup", "docs"], &[]);
    env.wait_for_temp_file("usb1/docs");
    s.send_control('c').unwrap();
    let output = finish(&mut s, 130);
    assert!(
        !env.exists("usb1/docs/big.bin"),
        "no half-written file under the final name"
    );
    let leftovers: Vec<_> = fs::read_dir(env.path("usb1/docs"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(
        leftovers.iter().all(|name| name == ".micsync-partial"),
        "no temporary file; at most the partial folder, kept for resuming: {leftovers:?}"
    );
    assert!(output.contains("micsync: interrupted"), "{output}");
    assert!(
        output.ends_with("\r\n") || output.ends_with('\n'),
        "the terminal is left on a fresh line"
    );
}

#[test]
fn a_progress_bar_is_shown_on_a_terminal() {
    let env = TestEnv::new();
    big_file(&env);
    let mut s = spawn(&env, &["--backup", "docs"], &[]);
    s.exp_string("/2.00 GiB")
        .expect("a progress bar with the plan's total");
    let output = finish(&mut s, 0);
    assert!(
        output.contains("done: 1 new, 0 modified, 0 deleted, 2.0 GiB"),
        "{output}"
    );
}

#[test]
fn no_progress_bar_and_no_control_characters_in_a_pipe() {
    let env = TestEnv::new();
    env.docs();
    let file = fs::File::create(env.path("home/docs/big.bin")).unwrap();
    file.set_len(256 << 20).unwrap();
    env.file("home/docs/small", "s");
    let run = env.run(&["--backup", "docs"]);
    run.success();
    for text in [&run.stdout, &run.stderr] {
        assert!(
            !text.contains('\r') && !text.contains('\x1b'),
            "control characters in {text:?}"
        );
    }
}

#[test]
fn colours_on_a_terminal_and_none_with_no_color_or_never() {
    let env = diverged();
    let mut s = spawn(&env, &["--backup", "-n", "docs"], &[]);
    let coloured = finish(&mut s, 0);
    assert!(
        coloured.contains("\x1b[32m"),
        "new entries are green: {coloured:?}"
    );
    for (args, vars) in [
        (&["--backup", "-n", "docs"][..], &[("NO_COLOR", "1")][..]),
        (&["--backup", "-n", "--color", "never", "docs"], &[]),
    ] {
        let mut s = spawn(&env, args, vars);
        let plain = finish(&mut s, 0);
        assert!(
            plain.contains("+ new.txt") && !plain.contains("\x1b["),
            "{plain:?}"
        );
    }
    let run = env.run(&["--backup", "-n", "--color", "always", "docs"]);
    assert!(
        run.stdout.contains("\x1b[32m"),
        "--color always colours a pipe too"
    );
}

#[test]
fn a_plan_taller_than_the_screen_goes_through_the_pager_then_its_counts_are_shown() {
    let env = TestEnv::new();
    env.docs();
    for i in 0..200 {
        env.file(&format!("home/docs/f{i:03}"), "x");
    }
    let paged = env.path("paged.txt");
    let pager = format!("sh -c 'cat > {}'", paged.display());
    let mut s = spawn(&env, &["--backup", "-n", "docs"], &[("PAGER", &pager)]);
    let output = finish(&mut s, 0);
    let text = fs::read_to_string(&paged).expect("the pager received the plan");
    assert_eq!(text.lines().filter(|l| l.contains("+ f")).count(), 200);
    assert!(
        strip_ansi(&output).contains("new: 200 entries, 200 B"),
        "{output}"
    );
    assert!(
        !output.contains("+ f199"),
        "the entries went to the pager only: {output}"
    );
}

#[test]
fn one_question_covers_destinations_with_the_same_plan_and_says_so() {
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/m", "changed");
    env.file("usb1/docs/m", "old");
    env.file("usb2/docs/m", "old");
    let mut s = spawn(&env, &["--backup", "docs"], &[]);
    s.exp_string("(the same plan for each)").unwrap();
    s.exp_string("Overwrite 1 modified entry in each of the 2 destinations above?")
        .unwrap();
    key(&mut s, "y");
    let output = finish(&mut s, 0);
    assert_eq!(
        output.matches("Overwrite").count(),
        1,
        "asked once, reported once: {output}"
    );
    assert_eq!(env.read("usb1/docs/m"), "changed");
    assert_eq!(env.read("usb2/docs/m"), "changed");
}
