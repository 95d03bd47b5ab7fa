//! `micsync --generate man|bash|zsh|fish`: what build.sh and the PKGBUILD install.

use crate::testenv::TestEnv;

const ACTIONS: [&str; 4] = ["--backup", "--work", "--transfer", "--tree"];

const OPTIONS: [&str; 16] = [
    "-m",
    "--overwrite",
    "-k",
    "--keep-modified",
    "-d",
    "--delete",
    "-D",
    "--delete-without-asking",
    "-s",
    "--hide-dirs",
    "-v",
    "--verbose",
    "-n",
    "--dry-run",
    "--config-name",
    "--version",
];

/// roff writes a dash that must stay a dash as `\-`.
fn roff(option: &str) -> String {
    option.replace('-', "\\-")
}

#[test]
fn the_man_page_teaches_every_action_and_option() {
    let env = TestEnv::new();
    let run = env.run(&["--generate", "man"]);
    run.success();
    for needle in ACTIONS
        .iter()
        .chain(&OPTIONS)
        .chain(&["--config", "--from", "--to"])
    {
        run.stdout_has(&format!("\\fB{}\\fR", roff(needle)));
    }
    for section in ["EXAMPLES", "\"EXIT STATUS\"", "FILES", "ENVIRONMENT"] {
        run.stdout_has(&format!(".SH {section}"));
    }
    run.stdout_has("MICSYNC_CONFIG")
        .stdout_has("NO_COLOR")
        .stdout_has(".micsyncignore")
        .stdout_lacks("generate");
}

#[test]
fn every_completion_script_knows_the_actions() {
    let env = TestEnv::new();
    for (shell, backup) in [
        ("bash", "--backup"),
        ("zsh", "--backup"),
        ("fish", "-l backup"),
    ] {
        env.run(&["--generate", shell])
            .success()
            .stdout_has(backup)
            .stdout_has("keep-modified")
            .stdout_lacks("generate");
    }
}

#[test]
fn generate_takes_nothing_else_and_stays_out_of_help() {
    let env = TestEnv::new();
    env.run(&["--generate", "ps1"]).code(2);
    env.run(&["--generate", "man", "--backup", "docs"]).code(2);
    env.run(&["--help"]).success().stdout_lacks("generate");
    env.run(&[]).code(2);
}
