//! `micsync --generate man|bash|zsh|fish`: the man page and the shell completions, generated from
//! the clap definition in `cli.rs` so that they never drift from the code. build.sh and the
//! PKGBUILD call it; it is hidden from `--help`.

use std::io::{self, Write};

use clap::CommandFactory;
use clap_complete::Shell;
use clap_mangen::Man;
use roff::{Roff, bold, italic, roman};

use crate::cli::{Cli, Generated};
use crate::error::{Error, Result, Status};

/// Writes what `kind` names to standard output.
pub(crate) fn print(kind: Generated) -> Result<Status> {
    let mut out = io::stdout().lock();
    write(kind, &mut out)
        .and_then(|()| out.flush())
        .map_err(|e| Error::Failed(format!("cannot write the generated {kind:?} output: {e}")))?;
    Ok(Status::Success)
}

fn write(kind: Generated, out: &mut dyn Write) -> io::Result<()> {
    let shell = match kind {
        Generated::Man => return man_page(out),
        Generated::Bash => Shell::Bash,
        Generated::Zsh => Shell::Zsh,
        Generated::Fish => Shell::Fish,
    };
    clap_complete::generate(shell, &mut Cli::command(), "micsync", out);
    Ok(())
}

/// clap_mangen's sections (the options with their long help, the actions under their own
/// heading), then micsync's own sections in place of the `--help` epilogue, which would repeat
/// the examples as unformatted text. No date in the title: the page is the same on every build.
fn man_page(out: &mut dyn Write) -> io::Result<()> {
    let man = Man::new(Cli::command()).manual("micsync manual");
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    out.write_all(extra_sections().to_roff().as_bytes())?;
    man.render_version_section(out)
}

/// A piece of a section of the man page.
enum Block {
    /// A paragraph of running text.
    Text(&'static str),
    /// A term and its explanation (`.TP`).
    Item(&'static str, &'static str),
    /// Literal lines, shown as they are.
    Literal(&'static str),
}

use Block::{Item, Literal, Text};

const SECTIONS: &[(&str, &[Block])] = &[
    (
        "CONFIGURATION FILE",
        &[
            Text(
                "WORKING and BACKUP locations are declared once, in ~/.micsync.json (or the file \
                 named by --config or MICSYNC_CONFIG):",
            ),
            Literal(
                "{\n  \"configs\": [\n    {\n      \"name\": \"documents\",\n      \
                 \"work\":   [\"~/docs/\"],\n      \"backup\": [\"/mnt/usb1/docs/\", \
                 \"/mnt/usb2/docs\"],\n      \"exclude\": [\"*.tmp\", \".cache/\"]\n    }\n  ]\n}",
            ),
            Item(
                "name",
                "A unique name; --config-name picks a configuration by it.",
            ),
            Item("work", "WORKING locations: where you work on your data."),
            Item("backup", "BACKUP locations: disks, NAS mounts; the copies."),
            Item(
                "exclude",
                "Optional rsync filter patterns; matching entries are never listed, copied or \
                 deleted.",
            ),
            Text(
                "~ is the home directory; a relative location is relative to the folder of the \
                 configuration file. Within one configuration no two locations may be the same \
                 or nested in each other. The whole file is checked before anything runs.",
            ),
            Text(
                "A location is accessible when its root directory exists. An inaccessible \
                 BACKUP is skipped with a note; micsync never creates a location's root, so an \
                 unplugged disk is never replaced by a copy on its mount point.",
            ),
            Text(
                "PATHS must lie in one location of one configuration. Only the given paths are \
                 synchronised, each at the same place relative to its location. Before anything \
                 changes at a destination, its plan is shown: new (+), modified (~) and \
                 to-be-deleted (-) entries, with counts and sizes. All questions come before the \
                 first transfer: y answers yes, n no, q or Esc quits and changes nothing.",
            ),
        ],
    ),
    (
        "WITHOUT A TERMINAL",
        &[Text(
            "When standard input is not a terminal (cron, a systemd timer, a pipe) and a question \
             would have to be asked, micsync changes nothing, names each question with the option \
             that answers it (-m or -k, -d or -D, --config-name, --from, --to) and exits with \
             status 2. It never waits for input.",
        )],
    ),
    (
        "EXAMPLES",
        &[
            Item(
                "micsync --backup ~/docs/thesis",
                "Push what changed to every plugged-in BACKUP.",
            ),
            Item(
                "micsync --backup -m ~/docs",
                "The same, overwriting modified files without asking (for a timer).",
            ),
            Item(
                "micsync --work ~/photos/2024",
                "Fetch that folder from a BACKUP into WORKING, or restore it after deleting it.",
            ),
            Item(
                "micsync --work -mD ~/docs",
                "Make WORKING equal to the BACKUP, without questions.",
            ),
            Item(
                "micsync --transfer --to /mnt/usb2/docs /mnt/usb1/docs",
                "Refresh the second BACKUP disk from the first.",
            ),
            Item(
                "micsync --tree ~/photos",
                "Create the BACKUP's folder skeleton in WORKING, without files.",
            ),
            Item(
                "micsync --backup -n -v ~/docs",
                "Show the plan and the rsync commands; change nothing.",
            ),
        ],
    ),
    (
        "EXIT STATUS",
        &[
            Item(
                "0",
                "Done, or nothing to do; rsync's \"some files vanished\" is a warning.",
            ),
            Item(
                "1",
                "A failure: configuration, paths, nothing accessible, rsync missing or too old, \
                 or rsync failed at some destination (the others are still done).",
            ),
            Item(
                "2",
                "A usage error, or a question that could not be asked without a terminal.",
            ),
            Item("3", "The user answered quit; nothing was changed."),
            Item(
                "4",
                "--status: some accessible BACKUP is not up to date with its WORKING.",
            ),
            Item(
                "130",
                "Interrupted (Ctrl-C): rsync is stopped, no half-written file is left under a \
                 final name.",
            ),
        ],
    ),
    (
        "FILES",
        &[
            Item(
                "~/.micsync.json",
                "The configuration file, unless --config or MICSYNC_CONFIG names another.",
            ),
            Item(
                ".micsyncignore",
                "In any directory of a location: rsync filter rules, one a line (for example \
                 \"- *.log\"), for that directory and below. What they name is never listed, \
                 copied or deleted.",
            ),
            Item(
                "$XDG_STATE_HOME/micsync/history.jsonl",
                "One JSON line for each run that changed something (default \
                 ~/.local/state/micsync/); --history shows it, --status and --list read the \
                 last backups from it.",
            ),
        ],
    ),
    (
        "ENVIRONMENT",
        &[
            Item(
                "MICSYNC_CONFIG",
                "The configuration file to read; --config wins over it.",
            ),
            Item("NO_COLOR", "When set, output is plain text without colour."),
            Item(
                "PAGER",
                "The pager for plans taller than the terminal (default less, with LESS=FRX); \
                 cat or an empty value turns paging off.",
            ),
            Item(
                "XDG_STATE_HOME",
                "Where the history is kept (default ~/.local/state).",
            ),
            Item(
                "HOME",
                "The home directory, for ~ and the default configuration file.",
            ),
        ],
    ),
    ("SEE ALSO", &[Text("rsync(1)")]),
];

fn extra_sections() -> Roff {
    let mut roff = Roff::new();
    for (title, blocks) in SECTIONS {
        roff.control("SH", [*title]);
        for block in *blocks {
            match block {
                Text(text) => {
                    roff.control("PP", []).text([roman(*text)]);
                }
                Item(term, text) => {
                    roff.control("TP", [])
                        .text([bold(*term)])
                        .text([roman(*text)]);
                }
                Literal(lines) => {
                    roff.control("PP", []).control("RS", []).control("nf", []);
                    for line in lines.lines() {
                        roff.text([italic(line)]);
                    }
                    roff.control("fi", []).control("RE", []);
                }
            }
        }
    }
    roff
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generated(kind: Generated) -> String {
        let mut out = Vec::new();
        write(kind, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn man_page_has_micsync_sections_and_the_options() {
        let page = generated(Generated::Man);
        for needle in [
            ".TH micsync 1",
            ".SH EXAMPLES",
            ".SH \"EXIT STATUS\"",
            "overwrite",
        ] {
            assert!(page.contains(needle), "{needle} missing from:\n{page}");
        }
        assert!(!page.contains("generate"), "the hidden flag leaks:\n{page}");
    }

    #[test]
    fn man_page_is_the_same_every_time() {
        assert_eq!(generated(Generated::Man), generated(Generated::Man));
    }
}
