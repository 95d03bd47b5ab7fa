//! Parsing benchmark: a synthetic itemized listing, in the format rsync prints with
//! `--out-format='%i %l %n'` under `LC_ALL=C`, goes through micsync's plan parser line by line,
//! as the lines of a dry run do. Prints the time and the peak memory of the process.
//!
//! `cargo bench --bench parse -- [LINES]` (1,000,000 lines by default). bench/run.sh runs it.

use std::path::Path;
use std::time::Instant;

use micsync::itemize::FileType;
use micsync::plan::{Change, Destination, PlanBuilder};

const DEFAULT_LINES: usize = 1_000_000;

/// A destination that holds nothing: the benchmark measures the parser, not `lstat`.
struct Nothing;

impl Destination for Nothing {
    fn probe(&self, _rel: &[u8]) -> Option<(FileType, u64)> {
        None
    }
}

/// A small deterministic generator (xorshift), so that every run parses the same listing.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// The listing, lines ended by `\n`: folders of about 100 entries each, mostly new files, some
/// modified or deleted ones, and names with escapes (`\#ooo`) as rsync writes them.
fn listing(lines: usize) -> Vec<u8> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = Vec::with_capacity(lines * 48);
    let mut dir = String::new();
    for n in 0..lines {
        if n % 100 == 0 {
            let d = n / 100;
            dir = format!("data/d{:03}/s{:02}/t{}", d / 1000, (d / 10) % 100, d % 10);
            let code = if rng.next() % 4 == 0 {
                ".d..t......"
            } else {
                "cd+++++++++"
            };
            out.extend_from_slice(format!("{code} 4096 {dir}/\n").as_bytes());
            continue;
        }
        let size = rng.next() % 5_000_000;
        let line = match rng.next() % 100 {
            0..=69 => format!(">f+++++++++ {size} {dir}/file_{n:07}.dat\n"),
            70..=84 => format!(">f.st...... {size} {dir}/report {n}.txt\n"),
            85..=94 => format!("*deleting   0 {dir}/old_{n}.tmp\n"),
            _ => format!(">f+++++++++ {size} {dir}/caf\\#303\\#251 \\#012{n}\n"),
        };
        out.extend_from_slice(line.as_bytes());
    }
    out
}

/// A `kB` field of /proc/self/status, in MiB.
fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let lines = std::env::args()
        .skip(1)
        .find_map(|a| a.replace('_', "").parse().ok())
        .unwrap_or(DEFAULT_LINES);
    let input = listing(lines);
    let rss_before = status_mib("VmRSS:");

    let started = Instant::now();
    let destination = Nothing;
    let requested = [Path::new("")];
    let mut builder = PlanBuilder::new(&destination, &requested);
    for line in input.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        builder.push_line(line);
    }
    let plan = builder.finish();
    let elapsed = started.elapsed().as_secs_f64();

    let entries: usize = [Change::New, Change::Modified, Change::Deleted]
        .into_iter()
        .map(|c| plan.totals(c).count)
        .sum();
    println!(
        "lines={lines} input_mib={:.1} entries={entries} seconds={elapsed:.3} \
         rss_before_mib={rss_before:.1} peak_mib={:.1}",
        input.len() as f64 / (1024.0 * 1024.0),
        status_mib("VmHWM:"),
    );
}
