//! rsync commands as data: their argument vectors are built by pure functions, shown
//! shell-quoted by `Display`, and run with typed failures.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::Duration;

use thiserror::Error;

use crate::signals;

/// The oldest rsync whose behaviour micsync relies on: `--delete-missing-args` is broken in
/// 3.4.3 and fixed in 3.4.4, and 3.5.0 closes the security holes listed in rsync-notes.md §8.
pub(crate) const MINIMUM_VERSION: Version = Version(3, 4, 4);

const INSTALL_HINT: &str = "install rsync 3.4.4 or newer (Debian/Ubuntu: apt-get install rsync; Arch: pacman -S rsync; \
     Fedora: dnf install rsync; macOS: brew install rsync)";

/// An rsync version number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Version(pub(crate) u32, pub(crate) u32, pub(crate) u32);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// Why an rsync command did not succeed.
#[derive(Debug, Error)]
pub(crate) enum RsyncError {
    #[error("rsync was not found on PATH: {INSTALL_HINT}")]
    NotFound,
    #[error("rsync {found} is too old: micsync needs {MINIMUM_VERSION} or newer; {INSTALL_HINT}")]
    TooOld { found: String },
    #[error("cannot run {command}: {source}")]
    Start { command: String, source: io::Error },
    #[error(
        "rsync failed with exit status {code} ({}{}){}",
        code_meaning(*code),
        cause(stderr),
        stderr_suffix(stderr)
    )]
    Exit { code: i32, stderr: String },
    #[error("rsync was killed by signal {signal}{}", stderr_suffix(stderr))]
    Signal { signal: i32, stderr: String },
}

fn stderr_suffix(stderr: &str) -> String {
    let trimmed = stderr.trim();
    if trimmed.is_empty() {
        String::new()
    } else {
        format!(":\n{trimmed}")
    }
}

/// The everyday name of a failure that rsync's messages show, for the first line of an error.
fn cause(stderr: &str) -> &'static str {
    const CAUSES: [(&str, &str); 5] = [
        ("No space left on device", "; disk full"),
        ("Disk quota exceeded", "; disk quota exceeded"),
        ("Read-only file system", "; read-only file system"),
        ("Permission denied", "; permission denied"),
        (
            "cannot delete non-empty directory",
            "; a non-empty folder is in the way",
        ),
    ];
    CAUSES
        .iter()
        .find(|(text, _)| stderr.contains(text))
        .map_or("", |(_, cause)| cause)
}

/// rsync's exit codes (errcode.h), named for messages.
pub(crate) fn code_meaning(code: i32) -> &'static str {
    match code {
        1 => "syntax or usage error",
        2 => "protocol incompatibility",
        3 => "errors selecting input/output files, dirs",
        4 => "requested action not supported",
        5 => "error starting client-server protocol",
        10 => "error in socket I/O",
        11 => "error in file I/O",
        12 => "error in rsync protocol data stream",
        13 => "errors with program diagnostics",
        14 => "error in IPC code",
        20 => "received SIGINT, SIGTERM or SIGHUP",
        21 => "some error returned by waitpid()",
        22 => "error allocating core memory buffers",
        23 => "partial transfer due to error",
        24 => "partial transfer due to vanished source files",
        25 => "the --max-delete limit stopped deletions",
        30 => "timeout in data send/receive",
        35 => "timeout waiting for daemon connection",
        _ => "unknown error",
    }
}

/// What a command run produced when rsync exited 0 or 24.
#[derive(Debug, Default)]
pub(crate) struct Finished {
    /// rsync reported that some source files vanished during the run (exit 24): a warning.
    pub(crate) vanished: bool,
    /// What rsync wrote to standard error.
    pub(crate) stderr: String,
}

/// One rsync invocation.
#[derive(Debug, Clone)]
pub(crate) struct RsyncCommand {
    program: PathBuf,
    args: Vec<OsString>,
    /// The file a `--files-from` option reads, named by `-v`.
    list_file: Option<PathBuf>,
}

impl RsyncCommand {
    pub(crate) fn new(program: &Path) -> Self {
        RsyncCommand {
            program: program.to_path_buf(),
            args: Vec::new(),
            list_file: None,
        }
    }

    pub(crate) fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub(crate) fn args<I: IntoIterator<Item = impl Into<OsString>>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Reads the list of entries to transfer, NUL-separated, from `path`.
    pub(crate) fn files_from(mut self, path: &Path) -> Self {
        let mut arg = OsString::from("--files-from=");
        arg.push(path);
        self.args.push(arg);
        self.args.push("--from0".into());
        self.list_file = Some(path.to_path_buf());
        self
    }

    /// The note `-v` prints beside a command that reads its list of files from a file.
    pub(crate) fn list_note(&self) -> Option<String> {
        self.list_file.as_ref().map(|p| {
            format!(
                "(reads its NUL-separated list of entries from {})",
                quote(p.as_os_str())
            )
        })
    }

    fn to_command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .env("LC_ALL", "C")
            .stdin(Stdio::null());
        signals::end_with_parent(&mut command);
        command
    }

    /// Runs the command, handing each line of standard output (without its line end, which is
    /// `\n` or, for progress lines, `\r`) to `on_line`. Exit 0 and 24 are success; anything else is an error with rsync's stderr.
    pub(crate) fn run(&self, mut on_line: impl FnMut(&[u8])) -> Result<Finished, RsyncError> {
        let mut child = self
            .to_command()
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| RsyncError::Start {
                command: self.to_string(),
                source,
            })?;
        let stderr = collect_stderr(&mut child);
        let guard = signals::ChildGuard::new(&child);
        let read = read_lines(child.stdout.take().expect("stdout is piped"), &mut on_line);
        let status = child.wait();
        drop(guard);
        let stderr = stderr.join().unwrap_or_default();
        let status = status.map_err(|source| RsyncError::Start {
            command: self.to_string(),
            source,
        })?;
        read.map_err(|source| RsyncError::Start {
            command: self.to_string(),
            source,
        })?;
        match (status.code(), status.signal()) {
            (Some(0), _) => Ok(Finished {
                vanished: false,
                stderr,
            }),
            (Some(24), _) => Ok(Finished {
                vanished: true,
                stderr,
            }),
            (Some(code), _) => Err(RsyncError::Exit { code, stderr }),
            (None, Some(signal)) => Err(RsyncError::Signal { signal, stderr }),
            (None, None) => Err(RsyncError::Exit { code: -1, stderr }),
        }
    }
}

fn collect_stderr(child: &mut Child) -> thread::JoinHandle<String> {
    let mut pipe = child.stderr.take().expect("stderr is piped");
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Splits standard output at `\n` and `\r`. Names never hold a raw CR: rsync escapes it.
fn read_lines(pipe: impl Read, on_line: &mut impl FnMut(&[u8])) -> io::Result<()> {
    let mut reader = BufReader::with_capacity(64 * 1024, Gather::new(pipe));
    let mut line = Vec::with_capacity(256);
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            if !line.is_empty() {
                on_line(&line);
            }
            return Ok(());
        }
        let consumed = buffer.len();
        for segment in buffer.split_inclusive(|&b| b == b'\n' || b == b'\r') {
            match segment.split_last() {
                Some((b'\n' | b'\r', body)) => {
                    if line.is_empty() {
                        on_line(body);
                    } else {
                        line.extend_from_slice(body);
                        on_line(&line);
                        line.clear();
                    }
                }
                _ => line.extend_from_slice(segment),
            }
        }
        reader.consume(consumed);
    }
}

/// A pipe reader that lets output gather. rsync writes every item line with a write(2) of its
/// own; read as they come, 100,000 lines woke micsync some 50,000 times, which cost a tenth of
/// a second of CPU and context switches on two cores that rsync's three processes share. After
/// a read that found little, the next one waits a moment: at most a thousand wake-ups a second,
/// while rsync goes on writing into the pipe's 64 KiB. A finished rsync is seen at once (end
/// of file), so a run ends no later.
struct Gather<R> {
    inner: R,
    was_short: bool,
}

impl<R> Gather<R> {
    /// A read below this many bytes leaves time for the next lines to arrive.
    const SHORT: usize = 16 * 1024;
    const PAUSE: Duration = Duration::from_millis(1);

    fn new(inner: R) -> Self {
        Gather {
            inner,
            was_short: false,
        }
    }
}

impl<R: Read> Read for Gather<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.was_short {
            thread::sleep(Self::PAUSE);
        }
        let n = self.inner.read(buf)?;
        self.was_short = n > 0 && n < Self::SHORT;
        Ok(n)
    }
}

impl fmt::Display for RsyncCommand {
    /// One line that does the same when pasted into a POSIX shell with `$'…'` (bash, zsh).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LC_ALL=C {}", quote(self.program.as_os_str()))?;
        for arg in &self.args {
            write!(f, " {}", quote(arg))?;
        }
        Ok(())
    }
}

/// Quotes one argument for a shell. Printable UTF-8 is single-quoted by shell-words; anything
/// with control characters or bytes that are not UTF-8 uses `$'…'`, so it stays on one line.
pub(crate) fn quote(arg: &OsStr) -> String {
    match arg.to_str() {
        Some(text) if !text.chars().any(char::is_control) => shell_words::quote(text).into_owned(),
        _ => ansi_c_quote(arg.as_bytes()),
    }
}

fn ansi_c_quote(bytes: &[u8]) -> String {
    let mut out = String::from("$'");
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\'' => out.push_str("\\'"),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                c if c.is_control() => {
                    let mut buf = [0; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        out.push_str(&format!("\\x{b:02x}"));
                    }
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.push('\'');
    out
}

/// Finds rsync on PATH and checks its version before anything runs.
pub(crate) fn locate() -> Result<PathBuf, RsyncError> {
    let program = which::which("rsync").map_err(|_| RsyncError::NotFound)?;
    let output = Command::new(&program)
        .arg("--version")
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .output()
        .map_err(|source| RsyncError::Start {
            command: "rsync --version".into(),
            source,
        })?;
    let text = String::from_utf8_lossy(&output.stdout);
    match parse_version(&text) {
        Some(version) if version >= MINIMUM_VERSION => Ok(program),
        Some(version) => Err(RsyncError::TooOld {
            found: version.to_string(),
        }),
        None => Err(RsyncError::TooOld {
            found: "of unknown version".into(),
        }),
    }
}

/// Reads `rsync  version 3.5.0  protocol version 32` (the first line of `rsync --version`).
pub(crate) fn parse_version(text: &str) -> Option<Version> {
    let first = text.lines().next()?;
    let mut words = first.split_whitespace();
    words.find(|w| *w == "version")?;
    let number = words.next()?;
    let digits: Vec<u32> = number
        .split(['.', 'p', 'r', '-'])
        .take(3)
        .map(|part| {
            part.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .map(|part| part.parse().ok())
        .collect::<Option<_>>()?;
    match digits[..] {
        [major, minor, patch] => Some(Version(major, minor, patch)),
        [major, minor] => Some(Version(major, minor, 0)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::ffi::OsStringExt;

    use super::*;

    #[test]
    fn versions_are_read_from_the_first_line() {
        assert_eq!(
            parse_version("rsync  version 3.5.0  protocol version 32\n"),
            Some(Version(3, 5, 0))
        );
        assert_eq!(
            parse_version("rsync  version v3.2.7  protocol version 31"),
            None
        );
        assert_eq!(
            parse_version("rsync  version 3.4.1pre1  protocol version 32"),
            Some(Version(3, 4, 1))
        );
        assert_eq!(
            parse_version("rsync  version 3.10  protocol"),
            Some(Version(3, 10, 0))
        );
        assert_eq!(parse_version("openrsync: protocol version 29"), None);
        assert!(Version(3, 4, 3) < MINIMUM_VERSION && Version(3, 5, 0) >= MINIMUM_VERSION);
    }

    #[test]
    fn common_failures_are_named_on_the_first_line() {
        let full = RsyncError::Exit {
            code: 11,
            stderr: "rsync: [receiver] write failed on \"/m/big\": No space left on device (28)\n"
                .into(),
        };
        let text = full.to_string();
        assert!(
            text.starts_with("rsync failed with exit status 11 (error in file I/O; disk full):\n"),
            "{text}"
        );
        assert!(text.ends_with("No space left on device (28)"));
        let other = RsyncError::Exit {
            code: 23,
            stderr: String::new(),
        };
        assert_eq!(
            other.to_string(),
            "rsync failed with exit status 23 (partial transfer due to error)"
        );
    }

    #[test]
    fn quoting_keeps_every_argument_one_shell_word() {
        assert_eq!(quote(OsStr::new("plain")), "plain");
        assert_eq!(quote(OsStr::new("two words")), "'two words'");
        assert_eq!(quote(OsStr::new("it's")), "'it'\\''s'");
        assert_eq!(quote(OsStr::new("new\nline")), "$'new\\nline'");
        assert_eq!(
            quote(&OsString::from_vec(b"bad\xffbyte".to_vec())),
            "$'bad\\xffbyte'"
        );
        assert_eq!(quote(OsStr::new("a'\\\n")), "$'a\\'\\\\\\n'");
    }

    /// Hands out its bytes a few at a time, as a pipe may.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(buf.len()).min(3);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn lines_split_across_reads_arrive_whole() {
        let mut lines = Vec::new();
        read_lines(
            Trickle(b">f+++++++++ 1 a b\n\ncd+++++++++ 4096 dir/\nlast"),
            &mut |line: &[u8]| lines.push(String::from_utf8_lossy(line).into_owned()),
        )
        .unwrap();
        assert_eq!(
            lines,
            [">f+++++++++ 1 a b", "", "cd+++++++++ 4096 dir/", "last"]
        );
    }

    #[test]
    fn output_is_split_at_line_feeds_and_carriage_returns() {
        let mut seen = Vec::new();
        let input: &[u8] = b"a\n\r  1 0%\rb c\nlast";
        read_lines(input, &mut |l: &[u8]| {
            seen.push(String::from_utf8_lossy(l).into_owned())
        })
        .unwrap();
        assert_eq!(seen, ["a", "", "  1 0%", "b c", "last"]);
    }

    #[test]
    fn display_shows_the_list_file_and_environment() {
        let command = RsyncCommand::new(Path::new("/usr/bin/rsync"))
            .arg("-a")
            .files_from(Path::new("/tmp/x y"))
            .arg("/src dir/");
        assert_eq!(
            command.to_string(),
            "LC_ALL=C /usr/bin/rsync -a '--files-from=/tmp/x y' --from0 '/src dir/'"
        );
        assert_eq!(
            command.list_note().unwrap(),
            "(reads its NUL-separated list of entries from '/tmp/x y')"
        );
    }
}
