//! `--list`: configurations and locations, accessible or not, as a table and as JSON.

use serde_json::Value;

use crate::testenv::TestEnv;

/// "documents" with an unplugged second BACKUP, and "photos" whose locations all exist.
fn two_configs() -> TestEnv {
    let env = TestEnv::new();
    for dir in ["home/docs", "usb1/docs", "home/photos", "usb1/photos"] {
        env.mkdir(dir);
    }
    env.config(&[
        ("documents", &["home/docs"], &["usb1/docs", "usb2/docs"]),
        ("photos", &["home/photos"], &["usb1/photos"]),
    ]);
    env
}

#[test]
fn shows_every_location_and_whether_it_is_accessible() {
    let env = two_configs();
    let usb2 = env.path("usb2/docs").display().to_string();
    let run = env.run(&["--list"]);
    run.success()
        .stdout_has("documents\n")
        .stdout_has("photos\n");
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains(&usb2))
        .expect("usb2 listed");
    assert!(
        line.contains("BACKUP") && line.contains("not accessible"),
        "{line}"
    );
    assert_eq!(
        run.stdout.matches("  accessible").count(),
        4,
        "{}",
        run.stdout
    );
}

#[test]
fn json_lists_the_same_and_config_name_selects() {
    let env = two_configs();
    let run = env.run(&["--list", "--json", "--config-name", "documents"]);
    run.success();
    let listing: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let configs = listing["configs"].as_array().expect("configs");
    assert_eq!(configs.len(), 1);
    assert_eq!(configs[0]["name"], "documents");
    let locations = configs[0]["locations"].as_array().expect("locations");
    let summary: Vec<(&str, bool)> = locations
        .iter()
        .map(|l| {
            (
                l["role"].as_str().unwrap(),
                l["accessible"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [("work", true), ("backup", true), ("backup", false)]
    );
    assert_eq!(
        locations[2]["path"],
        env.path("usb2/docs").display().to_string()
    );
}

#[test]
fn options_it_does_not_take_are_usage_errors() {
    let env = two_configs();
    env.run(&["--list", "-m"]).code(2);
    env.run(&["--list", "docs"]).code(2);
    env.run(&["--list", "--config-name", "nope"])
        .code(2)
        .stderr_has("there are: documents, photos");
}
