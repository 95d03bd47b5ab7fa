//! Paths on the command line: where they may be, and how they map onto locations.

use crate::testenv::TestEnv;

#[test]
fn a_path_inside_working_touches_only_that_path() {
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/thesis/ch1.tex", "ch1");
    env.file("home/docs/other.txt", "other");
    env.run(&["--backup", "docs/thesis"]).success();
    assert_eq!(env.read("usb1/docs/thesis/ch1.tex"), "ch1");
    assert!(!env.exists("usb1/docs/other.txt"));
}

#[test]
fn the_location_root_itself_may_be_given() {
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/a/b.txt", "b");
    env.run(&["--backup", "docs/"]).success();
    assert_eq!(env.read("usb2/docs/a/b.txt"), "b");
}

#[test]
fn a_path_given_in_a_backup_backs_up_from_working() {
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/thesis/ch1.tex", "new");
    env.file("usb1/docs/thesis/old.tex", "old");
    env.run(&["--backup", "../usb1/docs/thesis"]).success();
    assert_eq!(env.read("usb1/docs/thesis/ch1.tex"), "new");
    assert_eq!(env.read("usb2/docs/thesis/ch1.tex"), "new");
    assert!(
        env.exists("usb1/docs/thesis/old.tex"),
        "--backup never deletes"
    );
}

#[test]
fn several_paths_with_different_parents_land_at_their_places() {
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/a/x/one", "1");
    env.file("home/docs/b/y/z/two", "2");
    env.file("home/docs/b/y/skip", "s");
    let run = env.run(&["--backup", "docs/a/x/one", "docs/b/y/z"]);
    run.success();
    assert_eq!(env.read("usb1/docs/a/x/one"), "1");
    assert_eq!(env.read("usb1/docs/b/y/z/two"), "2");
    assert!(!env.exists("usb1/docs/b/y/skip"));
}

#[test]
fn paths_in_different_locations_are_an_error_naming_them() {
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/a", "a");
    env.file("usb1/docs/b", "b");
    env.run(&["--backup", "docs/a", "../usb1/docs/b"])
        .code(1)
        .stderr_has("the paths lie in different locations")
        .stderr_has("\"docs/a\": WORKING")
        .stderr_has("\"../usb1/docs/b\": BACKUP");
    assert!(!env.exists("usb2/docs/a"));
}

#[test]
fn a_path_outside_every_location_is_an_error() {
    let env = TestEnv::new();
    env.docs();
    env.file("home/elsewhere", "x");
    env.run(&["--backup", "elsewhere"])
        .code(1)
        .stderr_has("\"elsewhere\" is not inside any WORKING or BACKUP location");
}

#[test]
fn a_path_that_exists_nowhere_is_an_error() {
    let env = TestEnv::new();
    env.docs();
    env.run(&["--backup", "docs/nothing"])
        .code(1)
        .stderr_has("\"docs/nothing\": no such file or directory");
}

#[test]
fn work_restores_a_folder_missing_from_working() {
    let env = TestEnv::new();
    env.docs();
    env.file("usb1/docs/old/deep/f.txt", "kept safe");
    env.run(&["--work", "--from", "../usb1/docs", "docs/old"])
        .success();
    assert_eq!(env.read("home/docs/old/deep/f.txt"), "kept safe");
}

#[test]
fn a_symlinked_way_into_a_location_is_resolved() {
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/sub/f", "f");
    env.link("home/shortcut", "docs/sub");
    env.run(&["--backup", "shortcut/f"]).success();
    assert_eq!(env.read("usb1/docs/sub/f"), "f");
}

#[test]
fn paths_fitting_several_configurations_need_a_choice() {
    let env = TestEnv::new();
    env.file("home/docs/a", "a");
    env.mkdir("usb1/docs");
    env.mkdir("usb2/docs");
    env.config(&[
        ("first", &["home/docs"], &["usb1/docs"]),
        ("second", &["home/docs"], &["usb2/docs"]),
    ]);
    env.run(&["--backup", "docs"])
        .code(2)
        .stderr_has("Which one?")
        .stderr_has("--config-name NAME");
    assert!(!env.exists("usb1/docs/a") && !env.exists("usb2/docs/a"));
    env.run(&["--backup", "--config-name", "second", "docs"])
        .success();
    assert!(env.exists("usb2/docs/a") && !env.exists("usb1/docs/a"));
    env.run(&["--backup", "--config-name", "third", "docs"])
        .code(2)
        .stderr_has("no such configuration");
}

#[test]
fn a_path_through_a_symlink_inside_the_location_maps_to_the_real_folder() {
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/real/b/f", "f");
    env.link("home/docs/a", "real");
    env.run(&["--backup", "docs/a/b"]).success();
    assert_eq!(env.read("usb1/docs/real/b/f"), "f");
    assert!(
        !env.exists("usb1/docs/a"),
        "no real folder where WORKING has a symlink"
    );
}

#[test]
fn a_path_through_a_symlink_out_of_the_location_is_not_inside_it() {
    let env = TestEnv::new();
    env.docs();
    env.file("outside/sub/f", "f");
    env.link("home/docs/ext", "../../outside");
    env.run(&["--backup", "docs/ext/sub"])
        .code(1)
        .stderr_has("is not inside any WORKING or BACKUP location");
    assert!(!env.exists("usb1/docs/ext"));
}
