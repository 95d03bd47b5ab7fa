//! Long plans go through a pager, as git does, so that a plan of 100,000 entries can be read
//! without the screen scrolling away; short ones are printed.

use std::io::Write;
use std::process::{Command, Stdio};

use console::Term;

/// Prints `text`, through `pager` when one is given and the text is taller than the terminal.
/// Returns whether the pager showed it.
pub(crate) fn show(text: &str, pager: Option<&[String]>) -> bool {
    let Some((program, args)) = pager.and_then(|p| p.split_first()) else {
        print!("{text}");
        return false;
    };
    let (rows, _) = Term::stdout().size();
    if text.lines().count() + 4 < usize::from(rows) {
        print!("{text}");
        return false;
    }
    let mut command = Command::new(program);
    command.args(args).stdin(Stdio::piped());
    if std::env::var_os("LESS").is_none() {
        command.env("LESS", "FRX");
    }
    let Ok(mut child) = command.spawn() else {
        print!("{text}");
        return false;
    };
    if let Some(mut stdin) = child.stdin.take() {
        // The pager may quit before reading everything; that is the user's choice.
        let _ = stdin.write_all(text.as_bytes());
    }
    let _ = child.wait();
    true
}
