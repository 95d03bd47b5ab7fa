//! Every question micsync asks. The only module that touches dialoguer: it knows whether a
//! terminal is there, and which option answers each question when it is not.

use std::io;

use console::Term;
use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, Select};

use crate::error::{Error, Result, Unasked};
use crate::signals;

/// Asks questions on the terminal, or explains which option answers them.
#[derive(Debug)]
pub(crate) struct Prompter {
    interactive: bool,
}

impl Prompter {
    pub(crate) fn new(interactive: bool) -> Self {
        Prompter { interactive }
    }

    /// Whether questions can be asked.
    pub(crate) fn is_interactive(&self) -> bool {
        self.interactive
    }

    /// A yes/no question answered by a single key: `y`, `n`, or `q`/Esc to quit.
    pub(crate) fn confirm(&self, question: &str, answer_with: &str) -> Result<bool> {
        self.ensure_terminal(question, answer_with)?;
        let answer = Confirm::with_theme(&theme())
            .with_prompt(format!("{question} [q quits]"))
            .report(true)
            .show_default(false)
            .interact_opt();
        finish(answer)?.ok_or(Error::Quit)
    }

    /// A menu: arrow keys and Enter choose, `q`/Esc quits. Returns the chosen index.
    pub(crate) fn choose(
        &self,
        question: &str,
        items: &[String],
        answer_with: &str,
    ) -> Result<usize> {
        self.ensure_terminal(question, answer_with)?;
        let answer = Select::with_theme(&theme())
            .with_prompt(format!("{question} (arrows and Enter; q quits)"))
            .items(items)
            .default(0)
            .report(true)
            .interact_opt();
        finish(answer)?.ok_or(Error::Quit)
    }

    fn ensure_terminal(&self, question: &str, answer_with: &str) -> Result<()> {
        if self.interactive {
            Ok(())
        } else {
            Err(Error::NoTerminal(vec![Unasked {
                question: question.to_string(),
                answer_with: answer_with.to_string(),
            }]))
        }
    }
}

fn theme() -> ColorfulTheme {
    ColorfulTheme::default()
}

/// Ctrl-C at a question: console raises SIGINT (our handler records it) and dialoguer returns
/// `Interrupted`; the cursor it hid is shown again.
fn finish<T>(answer: dialoguer::Result<T>) -> Result<T> {
    match answer {
        Ok(value) if !signals::is_interrupted() => Ok(value),
        Ok(_) => Err(interrupted()),
        Err(dialoguer::Error::IO(e)) if e.kind() == io::ErrorKind::Interrupted => {
            Err(interrupted())
        }
        Err(dialoguer::Error::IO(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
            Err(Error::Quit)
        }
        Err(dialoguer::Error::IO(e)) => Err(Error::Failed(format!("cannot read the answer: {e}"))),
    }
}

fn interrupted() -> Error {
    let _ = Term::stderr().show_cursor();
    Error::Interrupted
}
