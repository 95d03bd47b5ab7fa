//! Every row and option of SPEC.md's action table, on real trees with the real rsync.

use crate::testenv::{Node, TestEnv};

/// WORKING has `new.txt` and a changed `mod.txt`; both BACKUPs have the old `mod.txt` and an
/// `only.txt` that WORKING lacks.
fn diverged() -> TestEnv {
    let env = TestEnv::new();
    env.docs();
    env.file("home/docs/new.txt", "new");
    env.file("home/docs/mod.txt", "changed in working");
    for usb in ["usb1", "usb2"] {
        env.file(&format!("{usb}/docs/mod.txt"), "old");
        env.file(&format!("{usb}/docs/only.txt"), "only in backup");
    }
    env
}

mod backup {
    use super::*;

    #[test]
    fn copies_new_entries_to_every_backup_without_asking() {
        let env = TestEnv::new();
        env.docs();
        env.file("home/docs/thesis/ch1.tex", "ch1");
        let run = env.run(&["--backup", "docs"]);
        run.success()
            .stdout_has("new: 2 entries, 3 B")
            .stdout_has("+ thesis/ch1.tex")
            .stdout_has("+ thesis/");
        for usb in ["usb1", "usb2"] {
            assert_eq!(env.tree(&format!("{usb}/docs")), env.tree("home/docs"));
        }
    }

    #[test]
    fn modified_entries_need_an_answer_and_nothing_changes_without_one() {
        let env = diverged();
        env.run(&["--backup", "docs"])
            .code(2)
            .stdout_has("~ mod.txt")
            .stderr_has("Overwrite 1 modified entry")
            .stderr_has("-m (overwrite) or -k (keep)")
            .stderr_has("Nothing was changed");
        assert!(
            !env.exists("usb1/docs/new.txt"),
            "not even new entries are copied"
        );
        assert_eq!(env.read("usb1/docs/mod.txt"), "old");
    }

    #[test]
    fn overwrite_option_overwrites_and_never_deletes() {
        let env = diverged();
        env.run(&["--backup", "-m", "docs"]).success();
        for usb in ["usb1", "usb2"] {
            assert_eq!(
                env.read(&format!("{usb}/docs/mod.txt")),
                "changed in working"
            );
            assert_eq!(env.read(&format!("{usb}/docs/new.txt")), "new");
            assert_eq!(env.read(&format!("{usb}/docs/only.txt")), "only in backup");
        }
    }

    #[test]
    fn keep_option_copies_new_entries_only() {
        let env = diverged();
        env.run(&["--backup", "--keep-modified", "docs"]).success();
        assert_eq!(env.read("usb1/docs/mod.txt"), "old");
        assert_eq!(env.read("usb1/docs/new.txt"), "new");
    }

    #[test]
    fn an_unplugged_backup_is_skipped_and_its_root_never_created() {
        let env = TestEnv::new();
        env.file("home/docs/a", "a");
        env.mkdir("usb1/docs");
        env.config(&[(
            "documents",
            &["home/docs"],
            &["usb1/docs", "unplugged/docs"],
        )]);
        env.run(&["--backup", "docs"])
            .success()
            .stdout_has("skipped, not accessible (not mounted?)");
        assert_eq!(env.read("usb1/docs/a"), "a");
        assert!(
            !env.exists("unplugged"),
            "an unplugged disk's mount point gets no copy"
        );
    }

    #[test]
    fn no_accessible_backup_is_a_failure() {
        let env = TestEnv::new();
        env.file("home/docs/a", "a");
        env.config(&[("documents", &["home/docs"], &["usb1/docs"])]);
        env.run(&["--backup", "docs"])
            .code(1)
            .stderr_has("no BACKUP of \"documents\" is accessible");
        assert!(!env.exists("usb1"));
    }

    #[test]
    fn a_file_replacing_a_folder_is_a_modification() {
        let env = TestEnv::new();
        env.docs();
        env.file("home/docs/x", "now a file");
        env.file("usb1/docs/x/deep/f", "was a folder");
        env.mkdir("usb2/docs/x");
        env.run(&["--backup", "docs"])
            .code(2)
            .stdout_has("~ x  (file replaces directory of 2 entries, which go with it)")
            .stdout_has("~ x  (file replaces directory)\n")
            .stdout_lacks("+ x");
        assert!(env.exists("usb1/docs/x/deep/f"));
        env.run(&["--backup", "-m", "docs"]).success();
        assert_eq!(env.read("usb1/docs/x"), "now a file");
        assert_eq!(env.read("usb2/docs/x"), "now a file");
    }

    #[test]
    fn a_folder_replacing_a_file_is_a_modification() {
        let env = TestEnv::new();
        env.docs();
        env.file("home/docs/y/inside", "in");
        env.file("home/docs/plain", "p");
        env.file("usb1/docs/y", "was a file");
        env.run(&["--backup", "docs"])
            .code(2)
            .stdout_has("~ y/  (directory replaces file)");
        env.run(&["--backup", "-k", "docs"]).success();
        assert_eq!(
            env.read("usb1/docs/y"),
            "was a file",
            "-k keeps the file, and skips what was below"
        );
        assert_eq!(env.read("usb1/docs/plain"), "p");
        env.run(&["--backup", "-m", "docs"]).success();
        assert_eq!(env.read("usb1/docs/y/inside"), "in");
    }

    #[test]
    fn symlinks_are_copied_as_links() {
        let env = TestEnv::new();
        env.docs();
        env.file("home/docs/target", "t");
        env.link("home/docs/link", "target");
        env.link("home/docs/dangling", "nowhere");
        env.run(&["--backup", "docs"]).success();
        let tree = env.tree("usb1/docs");
        assert_eq!(
            tree[std::path::Path::new("link")],
            Node::Link("target".into())
        );
        assert_eq!(
            tree[std::path::Path::new("dangling")],
            Node::Link("nowhere".into())
        );
    }

    #[test]
    fn hide_dirs_leaves_directories_out_of_the_lists() {
        let env = TestEnv::new();
        env.docs();
        env.file("home/docs/dir/f", "f");
        env.run(&["--backup", "-s", "-n", "docs"])
            .success()
            .stdout_has("+ dir/f")
            .stdout_lacks("+ dir/\n")
            .stdout_has("1 directory hidden");
    }

    #[test]
    fn an_unchanged_tree_says_so_and_runs_no_transfer() {
        let env = TestEnv::new();
        env.docs();
        env.file("home/docs/a", "a");
        env.run(&["--backup", "docs"]).success();
        let run = env.run(&["--backup", "-v", "docs"]);
        run.success().stdout_has("nothing to change");
        assert_eq!(
            run.stdout.matches("$ ").count(),
            2,
            "only the two dry runs: {}",
            run.stdout
        );
    }

    #[test]
    fn does_not_take_deletion_options() {
        let env = diverged();
        env.run(&["--backup", "-d", "docs"])
            .code(2)
            .stderr_has("cannot be used with");
        env.run(&["--backup", "-D", "docs"]).code(2);
        assert_eq!(env.read("usb1/docs/only.txt"), "only in backup");
    }
}

mod work {
    use super::*;

    #[test]
    fn copies_from_the_chosen_backup_and_keeps_entries_only_in_working() {
        let env = diverged();
        env.file("home/docs/mine.txt", "mine");
        env.run(&["--work", "-m", "--from", "../usb1/docs", "docs"])
            .success()
            .stdout_has("only here, kept: 2 entries");
        assert_eq!(env.read("home/docs/mod.txt"), "old");
        assert_eq!(env.read("home/docs/only.txt"), "only in backup");
        assert_eq!(env.read("home/docs/mine.txt"), "mine");
    }

    #[test]
    fn several_accessible_backups_need_a_choice() {
        let env = diverged();
        env.run(&["--work", "-m", "docs"])
            .code(2)
            .stderr_has("Which source?")
            .stderr_has("--from LOCATION");
        assert!(!env.exists("home/docs/only.txt"));
    }

    #[test]
    fn the_only_accessible_backup_is_the_source() {
        let env = TestEnv::new();
        env.file("usb1/docs/f", "f");
        env.mkdir("home/docs");
        env.config(&[("documents", &["home/docs"], &["usb1/docs", "usb2/docs"])]);
        env.run(&["--work", "docs"]).success();
        assert_eq!(env.read("home/docs/f"), "f");
    }

    #[test]
    fn a_path_in_a_backup_makes_it_the_source() {
        let env = diverged();
        env.run(&["--work", "-m", "../usb2/docs/only.txt"])
            .success();
        assert_eq!(env.read("home/docs/only.txt"), "only in backup");
        assert_eq!(env.read("home/docs/mod.txt"), "changed in working");
    }

    #[test]
    fn modified_entries_are_asked_about() {
        let env = diverged();
        env.run(&["--work", "--from", "../usb1/docs", "docs"])
            .code(2)
            .stderr_has("-m (overwrite) or -k (keep)");
        assert_eq!(env.read("home/docs/mod.txt"), "changed in working");
    }

    #[test]
    fn delete_option_asks_and_cannot_without_a_terminal() {
        let env = diverged();
        env.run(&["--work", "-m", "-d", "--from", "../usb1/docs", "docs"])
            .code(2)
            .stdout_has("to delete: 1 entry")
            .stdout_has("- new.txt")
            .stderr_has("-D (delete without asking)");
        assert!(env.exists("home/docs/new.txt"));
    }

    #[test]
    fn delete_without_asking_makes_working_equal_to_the_backup() {
        let env = diverged();
        env.file("home/docs/gone/deep/x", "x");
        // 4 of the 5 entries WORKING holds: the mass-deletion guard needs --max-delete.
        env.run(&[
            "--work",
            "-mD",
            "--max-delete",
            "4",
            "--from",
            "../usb1/docs",
            "docs",
        ])
        .success()
        .stdout_has("4 deleted");
        assert_eq!(env.tree("home/docs"), env.tree("usb1/docs"));
    }

    #[test]
    fn delete_without_asking_wins_over_delete() {
        let env = diverged();
        env.run(&["--work", "-m", "-d", "-D", "--from", "../usb1/docs", "docs"])
            .success();
        assert!(!env.exists("home/docs/new.txt"));
    }

    #[test]
    fn deletes_a_path_given_that_only_working_has() {
        let env = diverged();
        // All that WORKING holds under the given path: the mass-deletion guard needs --max-delete.
        env.run(&[
            "--work",
            "-D",
            "--max-delete",
            "1",
            "--from",
            "../usb1/docs",
            "docs/new.txt",
        ])
        .success();
        assert!(!env.exists("home/docs/new.txt"));
        assert!(env.exists("home/docs/mod.txt"));
    }
}

mod transfer {
    use super::*;

    #[test]
    fn refreshes_the_other_backup_from_the_one_given() {
        let env = diverged();
        env.file("usb1/docs/fresh", "fresh");
        env.file("usb2/docs/stale", "stale");
        env.run(&["--transfer", "-D", "../usb1/docs"]).success();
        assert_eq!(env.read("usb2/docs/fresh"), "fresh");
        assert!(!env.exists("usb2/docs/stale"));
        assert!(env.exists("usb2/docs/only.txt"));
    }

    #[test]
    fn several_other_backups_need_a_choice_or_to() {
        let env = TestEnv::new();
        env.docs_with_backups(&["usb1/docs", "usb2/docs", "usb3/docs"]);
        env.file("usb1/docs/f", "f");
        env.run(&["--transfer", "../usb1/docs"])
            .code(2)
            .stderr_has("Transfer to which BACKUP?")
            .stderr_has("--to");
        env.run(&["--transfer", "--to", "../usb3/docs", "../usb1/docs"])
            .success();
        assert!(env.exists("usb3/docs/f") && !env.exists("usb2/docs/f"));
        env.run(&[
            "--transfer",
            "--to",
            "../usb2/docs",
            "--to",
            "../usb3/docs",
            "../usb1/docs",
        ])
        .success();
        assert!(env.exists("usb2/docs/f"));
        env.run(&["--transfer", "--to", "../usb1/docs", "../usb1/docs"])
            .code(2)
            .stderr_has("is the source");
    }

    #[test]
    fn a_path_in_working_takes_the_chosen_backup_as_source() {
        let env = diverged();
        env.file("usb2/docs/sub/f", "from usb2");
        env.mkdir("home/docs/sub");
        env.run(&["--transfer", "--from", "../usb2/docs", "docs/sub"])
            .success();
        assert_eq!(env.read("usb1/docs/sub/f"), "from usb2");
    }

    #[test]
    fn modified_entries_are_asked_about_and_overwritten_with_m() {
        let env = diverged();
        env.file("usb1/docs/mod.txt", "newest");
        env.run(&["--transfer", "../usb1/docs"]).code(2);
        assert_eq!(env.read("usb2/docs/mod.txt"), "old");
        env.run(&["--transfer", "-m", "../usb1/docs"]).success();
        assert_eq!(env.read("usb2/docs/mod.txt"), "newest");
    }
}

mod tree {
    use super::*;

    #[test]
    fn creates_the_folder_skeleton_without_files() {
        let env = TestEnv::new();
        env.docs();
        env.file("usb1/docs/photos/2024/summer/a.jpg", "jpg");
        env.file("usb1/docs/photos/2023/b.jpg", "jpg");
        env.mkdir("usb1/docs/empty");
        env.run(&["--tree", "--from", "../usb1/docs", "docs"])
            .success();
        let tree = env.tree("home/docs");
        let dirs: Vec<_> = tree
            .keys()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            dirs,
            [
                "empty",
                "photos",
                "photos/2023",
                "photos/2024",
                "photos/2024/summer"
            ]
        );
        assert!(tree.values().all(|n| *n == Node::Dir));
    }

    #[test]
    fn leaves_a_file_in_the_way_alone() {
        let env = TestEnv::new();
        env.docs();
        env.mkdir("usb1/docs/x/y");
        env.file("home/docs/x", "a file");
        env.run(&["--tree", "--from", "../usb1/docs", "docs"])
            .success();
        assert_eq!(env.read("home/docs/x"), "a file");
    }

    #[test]
    fn takes_only_s_v_n() {
        let env = TestEnv::new();
        env.docs();
        for option in ["-m", "-k", "-d", "-D"] {
            env.run(&["--tree", option, "docs"])
                .code(2)
                .stderr_has("cannot be used with");
        }
    }
}

mod options {
    use super::*;

    #[test]
    fn dry_run_shows_the_plan_and_changes_nothing() {
        let env = diverged();
        let before = env.tree("usb1/docs");
        env.run(&["--backup", "-n", "docs"])
            .success()
            .stdout_has("+ new.txt")
            .stdout_has("~ mod.txt")
            .stdout_has("Dry run: nothing was changed");
        assert_eq!(env.tree("usb1/docs"), before);
        env.run(&[
            "--work",
            "--dry-run",
            "-d",
            "--from",
            "../usb1/docs",
            "docs",
        ])
        .success()
        .stdout_has("- new.txt");
        assert!(env.exists("home/docs/new.txt"));
    }

    #[test]
    fn verbose_prints_commands_that_do_the_same_when_pasted() {
        let env = diverged();
        let run = env.run(&["--backup", "-v", "-n", "docs/new.txt"]);
        run.success();
        let dry_run = run
            .stdout
            .lines()
            .find(|l| l.starts_with("$ "))
            .expect("a command line");
        let pasted = std::process::Command::new("bash")
            .arg("-c")
            .arg(&dry_run[2..])
            .output()
            .unwrap();
        assert!(pasted.status.success());
        assert_eq!(
            String::from_utf8_lossy(&pasted.stdout),
            ">f+++++++++ 3 new.txt\n"
        );

        let run = env.run(&["--backup", "-v", "-n", "docs"]);
        run.success()
            .stdout_has("--files-from=")
            .stdout_has("(reads its NUL-separated list of entries from ");
    }

    #[test]
    fn verbose_without_a_terminal_prints_and_runs() {
        let env = diverged();
        env.run(&["--backup", "-v", "-m", "docs"])
            .success()
            .stdout_has("--files-from=");
        assert_eq!(env.read("usb1/docs/new.txt"), "new");
    }

    #[test]
    fn combined_short_options_work_as_in_the_original() {
        let env = diverged();
        env.run(&["--work", "-mDs", "--from", "../usb2/docs", "docs"])
            .success();
        assert_eq!(env.tree("home/docs"), env.tree("usb2/docs"));
    }

    #[test]
    fn version_prints_name_and_number() {
        let env = TestEnv::new();
        let run = env.run(&["--version"]);
        run.success();
        assert_eq!(
            run.stdout,
            format!("micsync {}\n", env!("CARGO_PKG_VERSION"))
        );
    }

    #[test]
    fn help_teaches_actions_options_and_exit_statuses() {
        let env = TestEnv::new();
        env.run(&["--help"])
            .success()
            .stdout_has("--backup")
            .stdout_has("--delete-without-asking")
            .stdout_has("Exit status:");
    }
}

mod exclusions {
    use super::*;

    #[test]
    fn configuration_excludes_are_never_copied_or_deleted() {
        let env = TestEnv::new();
        env.mkdir("usb1/docs");
        env.file("home/docs/keep.txt", "k");
        env.file("home/docs/scratch.tmp", "tmp");
        env.file("home/docs/.cache/blob", "cache");
        env.file("usb1/docs/other.tmp", "backup's own tmp");
        let root = env.path("");
        env.write_config(&format!(
            r#"{{"configs":[{{"name":"d","work":["{0}/home/docs"],"backup":["{0}/usb1/docs"],"exclude":["*.tmp",".cache/"]}}]}}"#,
            root.display()
        ));
        env.run(&["--backup", "docs"])
            .success()
            .stdout_lacks("scratch.tmp")
            .stdout_lacks(".cache");
        assert!(env.exists("usb1/docs/keep.txt"));
        assert!(!env.exists("usb1/docs/scratch.tmp") && !env.exists("usb1/docs/.cache"));
        env.run(&["--work", "-mD", "docs"]).success();
        assert!(
            env.exists("home/docs/scratch.tmp"),
            "excluded entries are never deleted"
        );
        assert!(env.exists("home/docs/.cache/blob"));
    }

    #[test]
    fn micsyncignore_files_keep_entries_out() {
        let env = TestEnv::new();
        env.docs();
        env.file("home/docs/.micsyncignore", "- *.log\n");
        env.file("home/docs/sub/.micsyncignore", "- build/\n");
        env.file("home/docs/a.log", "log");
        env.file("home/docs/sub/build/out", "o");
        env.file("home/docs/sub/src.c", "c");
        env.run(&["--backup", "docs"]).success();
        assert!(env.exists("usb1/docs/sub/src.c"));
        assert!(!env.exists("usb1/docs/a.log"));
        assert!(!env.exists("usb1/docs/sub/build"));
    }
}

mod ignore_files {
    use super::*;

    #[test]
    fn ignore_files_above_a_given_path_still_apply() {
        let env = TestEnv::new();
        env.docs();
        env.file("home/docs/.micsyncignore", "- *.log\n");
        env.file("home/docs/sub/x.log", "log");
        env.file("home/docs/sub/keep", "k");
        env.run(&["--backup", "docs/sub"])
            .success()
            .stdout_lacks("x.log");
        assert!(env.exists("usb1/docs/sub/keep") && !env.exists("usb1/docs/sub/x.log"));
        env.file("usb1/docs/.micsyncignore", "- *.log\n");
        env.run(&["--work", "-D", "--from", "../usb1/docs", "docs/sub"])
            .success();
        assert!(
            env.exists("home/docs/sub/x.log"),
            "an ignored entry is never deleted"
        );
    }

    #[test]
    fn an_ignore_file_is_never_deleted() {
        let env = TestEnv::new();
        env.docs();
        env.file("home/docs/.micsyncignore", "- *.log\n");
        env.file("home/docs/app.log", "log");
        env.file("home/docs/a", "a");
        env.file("usb1/docs/a", "a");
        for _ in 0..2 {
            env.run(&[
                "--work",
                "-D",
                "--max-delete",
                "10",
                "--from",
                "../usb1/docs",
                "docs",
            ])
            .success();
        }
        assert!(env.exists("home/docs/.micsyncignore") && env.exists("home/docs/app.log"));
    }
}

mod commands {
    use super::*;

    /// The `$ ` lines of `-v` output that run a list, by the option that tells them apart.
    fn transfer_lines(stdout: &str) -> Vec<&str> {
        stdout
            .lines()
            .filter(|l| l.starts_with("$ ") && l.contains("--files-from="))
            .collect()
    }

    #[test]
    fn each_part_of_a_plan_runs_with_only_the_options_it_needs() {
        let env = diverged();
        env.file("home/docs/x/inner", "a folder in WORKING");
        env.file("usb1/docs/x", "a file in the BACKUP");
        let args = [
            "--work",
            "-n",
            "-v",
            "-D",
            "--max-delete",
            "10",
            "--from",
            "../usb1/docs",
        ];
        // -m approves every overwrite in advance: one run copies modified and new entries.
        let run = env.run(&[&args[..], &["-m", "docs"]].concat());
        run.success();
        let lines = transfer_lines(&run.stdout);
        assert_eq!(
            lines.len(),
            2,
            "delete, then modified and new: {}",
            run.stdout
        );
        assert!(lines[0].contains("--delete-missing-args --existing --ignore-existing --force"));
        assert!(
            lines[1].contains("--force"),
            "the file x replaces a folder: {}",
            lines[1]
        );
        assert!(!lines[1].contains("--ignore-existing") && !lines[1].contains("--delete"));
        // -k: the new entries run alone and never overwrite what appeared since the plan.
        let run = env.run(&[&args[..], &["-k", "docs"]].concat());
        run.success();
        let lines = transfer_lines(&run.stdout);
        assert_eq!(lines.len(), 2, "delete, then new: {}", run.stdout);
        assert!(lines[1].contains("--ignore-existing") && !lines[1].contains("--force"));
        for line in lines {
            assert!(!line.contains("--delete ") && !line.contains("--recursive"));
        }
    }

    #[test]
    fn dry_run_commands_can_be_pasted_later_and_do_what_was_shown() {
        let env = diverged();
        let run = env.run(&["--backup", "-n", "-v", "-m", "docs"]);
        run.success().stdout_has("kept after this dry run");
        for line in transfer_lines(&run.stdout) {
            let status = std::process::Command::new("bash")
                .arg("-c")
                .arg(&line[2..])
                .status()
                .unwrap();
            assert!(status.success(), "{line}");
        }
        assert_eq!(env.read("usb1/docs/new.txt"), "new");
        assert_eq!(env.read("usb1/docs/mod.txt"), "changed in working");
        assert_eq!(env.read("usb1/docs/only.txt"), "only in backup");
    }
}
