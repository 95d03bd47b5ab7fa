//! Configuration from the command line: created, extended, and refused without a change.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use serde_json::{Value, json};

use crate::testenv::TestEnv;

fn config(env: &TestEnv) -> Value {
    serde_json::from_str(&fs::read_to_string(env.config_path()).expect("config")).expect("JSON")
}

#[test]
fn a_configuration_is_created_from_nothing_and_works() {
    let env = TestEnv::new();
    env.mkdir("home/docs");
    env.mkdir("usb1/docs");
    env.file("home/docs/a.txt", "a");
    env.run(&["--backup", "docs"])
        .code(1)
        .stderr_has("micsync --add-config documents ~/docs /mnt/usb1/docs");
    let usb1 = env.path("usb1/docs").display().to_string();
    let usb2 = env.path("usb2/docs").display().to_string();
    env.run(&["--add-config", "documents", "docs", &usb1, "../usb2/docs/"])
        .success()
        .stdout_has("Added configuration \"documents\"")
        .stdout_has(&format!("+ BACKUP {usb2}  (not accessible now)"));
    assert_eq!(
        config(&env),
        json!({"configs": [{"name": "documents", "work": ["~/docs"], "backup": [usb1, usb2]}]})
    );
    env.run(&["--backup", "docs"]).success();
    assert_eq!(env.read("usb1/docs/a.txt"), "a");
}

#[test]
fn locations_are_added_and_everything_else_is_kept() {
    let env = TestEnv::new();
    let original = r#"{"configs": [
        {"exclude": ["*.tmp"], "backup": ["/mnt/b"], "name": "photos", "work": ["/srv/p"]},
        {"name": "documents", "work": ["~/docs"], "backup": ["/mnt/usb1/docs"]}
    ]}"#;
    env.write_config(original);
    fs::set_permissions(env.config_path(), fs::Permissions::from_mode(0o640)).expect("chmod");
    env.run(&[
        "--add-backup",
        "documents",
        "/mnt/usb2/docs",
        "/mnt/usb3/docs",
    ])
    .success()
    .stdout_has("Changed configuration \"documents\"");
    env.run(&["--add-work", "documents", "/srv/docs"]).success();
    let mut expected: Value = serde_json::from_str(original).expect("JSON");
    expected["configs"][1]["backup"] =
        json!(["/mnt/usb1/docs", "/mnt/usb2/docs", "/mnt/usb3/docs"]);
    expected["configs"][1]["work"] = json!(["~/docs", "/srv/docs"]);
    assert_eq!(config(&env), expected);
    let text = fs::read_to_string(env.config_path()).expect("config");
    let order: Vec<usize> = ["\"exclude\"", "\"backup\"", "\"name\"", "\"work\""]
        .iter()
        .map(|k| text.find(k).expect("key kept"))
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "key order kept:\n{text}"
    );
    let mode = fs::metadata(env.config_path())
        .expect("stat")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
}

#[test]
fn invalid_additions_are_refused_and_leave_the_file_untouched() {
    let env = TestEnv::new();
    env.docs();
    let before = fs::read(env.config_path()).expect("config");
    let usb1 = env.path("usb1/docs").display().to_string();
    env.run(&["--add-backup", "documents", &format!("{usb1}/inner")])
        .code(1)
        .stderr_has("contains BACKUP")
        .stderr_has("The configuration file was not changed.");
    env.run(&["--add-work", "documents", "docs/sub"])
        .code(1)
        .stderr_has("must not overlap");
    env.run(&["--add-config", "documents", "/x", "/y"])
        .code(1)
        .stderr_has("two configurations are named \"documents\"");
    env.run(&["--add-backup", "nope", "/y"])
        .code(1)
        .stderr_has("no configuration is named \"nope\" (there are: documents)");
    env.run(&["--add-config", "solo", "/x"]).code(2);
    env.run(&["--add-backup", "documents"]).code(2);
    assert_eq!(fs::read(env.config_path()).expect("config"), before);
    let leftovers: Vec<_> = fs::read_dir(env.home())
        .expect("home")
        .map(|e| e.expect("entry").file_name())
        .filter(|n| n.to_string_lossy().starts_with(".micsync-config-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_file_with_problems_is_not_edited() {
    let env = TestEnv::new();
    env.write_config(r#"{"configs": [{"name": "d", "work": ["/w"], "bakup": ["/b"]}]}"#);
    let before = fs::read(env.config_path()).expect("config");
    env.run(&["--add-backup", "d", "/c"])
        .code(1)
        .stderr_has("did you mean \"backup\"?");
    assert_eq!(fs::read(env.config_path()).expect("config"), before);
}
