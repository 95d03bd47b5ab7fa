//! The live progress bar of a transfer, driven by rsync's `--info=progress2` output
//! (rsync-notes.md §6). The total comes from the plan: rsync's own percentage only covers the
//! files it has listed so far.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::itemize::{self, Line};
use crate::show;

/// The rsync options that make it report progress in the form `parse_progress` reads.
pub(crate) const RSYNC_ARGS: [&str; 2] = ["--info=progress2", "--no-human-readable"];

/// How long a transfer runs before its bar appears.
const SHOW_AFTER: Duration = Duration::from_millis(500);

/// A progress bar on standard error, or nothing when it is not a terminal.
#[derive(Debug)]
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    /// The file rsync is sending now.
    current: RefCell<String>,
}

impl Progress {
    /// A bar for `total` bytes, labelled with the destination; hidden when `enabled` is false.
    pub(crate) fn new(enabled: bool, total: u64, label: &str) -> Self {
        let started = Instant::now();
        let current = RefCell::new(String::new());
        if !enabled {
            return Progress {
                bar: None,
                started,
                current,
            };
        }
        let style = ProgressStyle::with_template(
            "{prefix} [{bar:25.cyan/blue}] {bytes}/{total_bytes} {wide_msg}",
        )
        .expect("the template is valid")
        .progress_chars("=> ");
        let bar =
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(10));
        bar.set_style(style);
        bar.set_prefix(label.to_string());
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress {
            bar: Some(bar),
            started,
            current,
        }
    }

    /// Takes one segment of rsync's standard output (lines end in `\n` or `\r`): an item line
    /// names the current file, a progress line moves the bar.
    pub(crate) fn update(&self, segment: &[u8]) {
        let Some(bar) = &self.bar else { return };
        if let Some(done) = parse_progress(segment) {
            let total = bar.length().unwrap_or(u64::MAX);
            bar.set_position(done.min(total));
        } else if let Line::Item(item) = itemize::parse_line(segment) {
            *self.current.borrow_mut() = show::escape(&item.name);
        } else {
            return;
        }
        if bar.is_hidden() && self.started.elapsed() >= SHOW_AFTER {
            bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(10));
        }
        bar.set_message(self.status(bar.position(), bar.length().unwrap_or(0)));
    }

    /// "12.3 MiB/s, 0:42 left  dir/file": the average speed since the start, which is steadier
    /// than rsync's per-file rate, and the time left at that speed.
    fn status(&self, done: u64, total: u64) -> String {
        let elapsed = self.started.elapsed().as_secs_f64();
        let file = self.current.borrow();
        if done == 0 || elapsed < 0.5 {
            return format!("--/s  {file}");
        }
        let speed = done as f64 / elapsed;
        let left = (total.saturating_sub(done) as f64 / speed).round() as u64;
        format!(
            "{}/s, {}:{:02} left  {file}",
            show::human_bytes(speed as u64),
            left / 60,
            left % 60
        )
    }
}

impl Drop for Progress {
    /// The bar is removed from the screen however the transfer ended.
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Reads the byte count of a progress2 line such as
/// `     41943046 100%   20.05MB/s    0:00:01 (xfr#3, to-chk=0/5)`.
pub(crate) fn parse_progress(segment: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(segment).ok()?;
    let mut fields = text.split_whitespace();
    let bytes = fields.next()?.replace(',', "");
    let percent = fields.next()?;
    let rate = fields.next()?;
    let is_progress = percent.ends_with('%')
        && percent[..percent.len() - 1]
            .bytes()
            .all(|b| b.is_ascii_digit())
        && rate.ends_with("B/s");
    if !is_progress {
        return None;
    }
    bytes.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_lines_are_read() {
        assert_eq!(
            parse_progress(b"     22052864  52%   20.04MB/s    0:00:00  "),
            Some(22_052_864)
        );
        assert_eq!(
            parse_progress(b"     41,943,046 100%   20.05MB/s    0:00:01 (xfr#3, to-chk=0/5)"),
            Some(41_943_046)
        );
        assert_eq!(
            parse_progress(b"        0   0%    0.00kB/s    ??:??:??"),
            Some(0)
        );
    }

    #[test]
    fn other_lines_are_not_progress() {
        for line in [
            &b">f+++++++++ 12 100% 5MB/s"[..],
            b"sending incremental file list",
            b"",
            b"12 abc% x",
        ] {
            assert_eq!(
                parse_progress(line),
                None,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
