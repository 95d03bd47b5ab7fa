//! Two runs into one destination: the second waits for the first, or fails at once with
//! `--no-wait`; a lock dies with its process.

use std::io::Read;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use rexpect::session::PtySession;

use crate::testenv::TestEnv;

/// Starts `micsync --backup docs` in a terminal and leaves it at the question it asks, holding
/// its locks. Returns the session and micsync's process id.
fn first_run_at_a_question(env: &TestEnv) -> (PtySession, String) {
    env.docs();
    env.file("home/docs/f", "changed");
    env.file("usb1/docs/f", "old");
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!(
            "echo PID:$$; exec {} --backup docs",
            env!("CARGO_BIN_EXE_micsync")
        ))
        .current_dir(env.home())
        .env("HOME", env.home())
        .env("MICSYNC_CONFIG", env.config_path())
        .env("NO_COLOR", "1");
    let mut session = rexpect::session::spawn_command(command, Some(20_000)).unwrap();
    let (_, pid) = session.exp_regex("PID:[0-9]+").unwrap();
    session.exp_string("Overwrite 1 modified entry").unwrap();
    (session, pid["PID:".len()..].to_string())
}

#[test]
fn a_second_run_with_no_wait_fails_at_once_naming_the_location_and_the_other_run() {
    let env = TestEnv::new();
    let (mut session, pid) = first_run_at_a_question(&env);
    env.file("home/docs/second", "2");
    let started = Instant::now();
    env.run(&["--backup", "--no-wait", "-m", "docs"])
        .code(1)
        .stderr_has(&format!(
            "another micsync (pid {pid}, writing) is using BACKUP "
        ))
        .stderr_has("usb1/docs; not waiting (--no-wait): nothing was changed");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(!env.exists("usb1/docs/second") && !env.exists("usb2/docs/second"));
    session.send("n").unwrap();
    session.flush().unwrap();
    session.exp_eof().unwrap();
}

#[test]
fn a_second_run_waits_saying_so_and_goes_on_when_the_first_ends() {
    let env = TestEnv::new();
    let (mut session, _) = first_run_at_a_question(&env);
    let mut second = env
        .process()
        .args(["--backup", "-m", "docs"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    thread::sleep(Duration::from_millis(1500));
    assert!(
        second.try_wait().unwrap().is_none(),
        "the second run must wait while the first holds the destination"
    );
    session.send("y").unwrap();
    session.flush().unwrap();
    session.exp_eof().unwrap();
    let status = second.wait().unwrap();
    let mut stderr = String::new();
    second
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(
        stderr.matches("waiting for another micsync").count(),
        1,
        "says once that it waits: {stderr}"
    );
    assert!(stderr.contains("writing) using BACKUP "), "{stderr}");
    assert_eq!(env.read("usb1/docs/f"), "changed");
}

#[test]
fn the_lock_dies_with_its_process() {
    let env = TestEnv::new();
    let (session, pid) = first_run_at_a_question(&env);
    Command::new("kill").args(["-KILL", &pid]).status().unwrap();
    drop(session);
    let started = Instant::now();
    while Command::new("kill")
        .args(["-0", &pid])
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success()
    {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "pid {pid} lives on"
        );
        thread::sleep(Duration::from_millis(20));
    }
    env.run(&["--backup", "--no-wait", "-m", "docs"])
        .success()
        .stdout_has("done: 0 new, 1 modified");
}
