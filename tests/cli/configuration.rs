//! Every configuration error SPEC.md lists stops micsync before anything runs.

use crate::testenv::TestEnv;

/// A world whose backup would receive `a.txt` if anything ran.
fn env_with(config: &str) -> TestEnv {
    let env = TestEnv::new();
    env.file("home/docs/a.txt", "a");
    env.mkdir("usb1/docs");
    let root = env.path("");
    env.write_config(&config.replace("ROOT", root.to_str().unwrap()));
    env
}

fn assert_rejected(config: &str, message: &str) {
    let env = env_with(config);
    env.run(&["--backup", "-m", "docs"])
        .code(1)
        .stderr_has(message);
    assert!(
        !env.exists("usb1/docs/a.txt"),
        "nothing may run with a bad configuration"
    );
}

#[test]
fn malformed_json_names_file_line_and_column() {
    let env = env_with("{\n  \"configs\": [\n    {\"name\": \"d\",,}\n  ]\n}");
    let run = env.run(&["--backup", "docs"]);
    run.code(1)
        .stderr_has(".micsync.json:3:18: not valid JSON: key must be a string");
}

#[test]
fn missing_field_names_the_configuration() {
    assert_rejected(
        r#"{"configs":[{"name":"docs","work":["ROOT/home/docs"]}]}"#,
        "configuration \"docs\": missing field \"backup\"",
    );
}

#[test]
fn wrong_type_names_the_configuration() {
    assert_rejected(
        r#"{"configs":[{"name":"docs","work":"ROOT/home/docs","backup":["ROOT/usb1/docs"]}]}"#,
        "configuration \"docs\": \"work\" must be a list of strings, found a string",
    );
}

#[test]
fn empty_location_list_names_the_configuration() {
    assert_rejected(
        r#"{"configs":[{"name":"docs","work":["ROOT/home/docs"],"backup":[]}]}"#,
        "configuration \"docs\": \"backup\" must list at least one location",
    );
}

#[test]
fn unknown_field_is_named_with_the_closest_known_field() {
    assert_rejected(
        r#"{"configs":[{"name":"docs","work":["ROOT/home/docs"],"backup":["ROOT/usb1/docs"],"exlude":[]}]}"#,
        "unknown field \"exlude\"; did you mean \"exclude\"?",
    );
}

#[test]
fn duplicate_names_are_rejected() {
    assert_rejected(
        r#"{"configs":[{"name":"docs","work":["ROOT/home/docs"],"backup":["ROOT/usb1/docs"]},
                      {"name":"docs","work":["ROOT/x"],"backup":["ROOT/y"]}]}"#,
        "two configurations are named \"docs\"",
    );
}

#[test]
fn working_inside_working_is_rejected() {
    let env = env_with(
        r#"{"configs":[{"name":"docs","work":["ROOT/home/docs","ROOT/home/docs/sub/"],"backup":["ROOT/usb1/docs"]}]}"#,
    );
    let sub = env.path("home/docs/sub");
    env.run(&["--backup", "docs"])
        .code(1)
        .stderr_has("configuration \"docs\": WORKING")
        .stderr_has(&format!("contains WORKING {}", sub.display()));
}

#[test]
fn the_same_backup_twice_is_rejected() {
    let env = env_with(
        r#"{"configs":[{"name":"docs","work":["ROOT/home/docs"],"backup":["ROOT/usb1/docs","ROOT/usb1/./docs/"]}]}"#,
    );
    env.run(&["--backup", "docs"])
        .code(1)
        .stderr_has("is the same directory as BACKUP");
}

#[test]
fn backup_inside_working_is_rejected() {
    let env = env_with(
        r#"{"configs":[{"name":"docs","work":["ROOT/home"],"backup":["ROOT/home/docs/bk"]}]}"#,
    );
    env.run(&["--backup", "docs"])
        .code(1)
        .stderr_has("contains BACKUP");
}

#[test]
fn overlap_through_a_symbolic_link_is_rejected() {
    let env = env_with(
        r#"{"configs":[{"name":"docs","work":["ROOT/home/docs"],"backup":["ROOT/alias/bk"]}]}"#,
    );
    env.link("alias", "home/docs");
    env.mkdir("home/docs/bk");
    env.run(&["--backup", "docs"])
        .code(1)
        .stderr_has("contains BACKUP");
}

#[test]
fn missing_configuration_file_shows_how_to_create_one() {
    let env = TestEnv::new();
    env.mkdir("home/docs");
    env.run(&["--backup", "docs"])
        .code(1)
        .stderr_has("no configuration file at")
        .stderr_has("\"configs\": [");
}

#[test]
fn config_option_and_environment_choose_the_file() {
    let env = TestEnv::new();
    env.file("home/docs/a.txt", "a");
    env.mkdir("usb1/docs");
    let root = env.path("");
    let text = format!(
        r#"{{"configs":[{{"name":"d","work":["{0}/home/docs"],"backup":["{0}/usb1/docs"]}}]}}"#,
        root.display()
    );
    std::fs::write(env.path("other.json"), &text).unwrap();
    let other = env.path("other.json");
    // MICSYNC_CONFIG points at a missing file; --config wins over it.
    env.micsync()
        .args(["--backup", "--config", other.to_str().unwrap(), "docs"])
        .assert()
        .success();
    assert_eq!(env.read("usb1/docs/a.txt"), "a");
    env.micsync()
        .env("MICSYNC_CONFIG", &other)
        .args(["--backup", "docs"])
        .assert()
        .success();
}

#[test]
fn relative_locations_start_at_the_configuration_file_and_tilde_is_home() {
    let env = TestEnv::new();
    env.file("home/docs/a.txt", "a");
    env.mkdir("home/rel/bk");
    env.write_config(r#"{"configs":[{"name":"d","work":["~/docs/"],"backup":["./rel/bk/"]}]}"#);
    env.run(&["--backup", "docs"]).success();
    assert_eq!(env.read("home/rel/bk/a.txt"), "a");
}

#[test]
fn the_original_tools_configuration_file_still_works() {
    let env = TestEnv::new();
    env.file("home/some_dir/x", "x");
    env.mkdir("home/a/backup");
    env.write_config(
        r#"{
  "configs": [
   {
    "name": "My first CONFIGURATION, it contains 1 WORKING and 1 BACKUP",
    "work": [
    	"~/some_dir/"
    ],
    "backup": [
    	"./a/backup/"
    ]
   }
  ]
}"#,
    );
    env.run(&["--backup", "some_dir"]).success();
    assert_eq!(env.read("home/a/backup/x"), "x");
}
