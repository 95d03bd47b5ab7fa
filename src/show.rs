//! What micsync prints about plans and results: grouped entries with counts and sizes, and one
//! summary line per destination.

use std::fmt::Write as _;

use console::style;

use crate::itemize::FileType;
use crate::location::Location;
use crate::plan::{Change, Entry, Plan, Totals};

/// The note on a BACKUP whose root holds nothing.
pub(crate) const EMPTY_BACKUP: &str = "empty: is the disk mounted?";

/// How entries found only at the destination are presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeletedAs {
    /// They will be deleted (or the user is asked).
    ToDelete,
    /// They are kept; listed as a count only.
    Kept,
}

/// How much of a plan is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detail {
    /// Every entry.
    Entries,
    /// Counts and sizes only.
    Counts,
}

/// Renders the plan of one or more destinations that share it.
pub(crate) fn plan(
    destinations: &[&Location],
    plan: &Plan,
    hide_dirs: bool,
    deleted: DeletedAs,
    detail: Detail,
) -> String {
    let mut out = String::new();
    let header = destinations_label(destinations);
    if plan.is_empty() {
        let _ = writeln!(
            out,
            "{}: {}",
            style(header).bold(),
            style("nothing to change").green()
        );
        return out;
    }
    let same = if destinations.len() > 1 {
        " (the same plan for each)"
    } else {
        ""
    };
    let _ = writeln!(out, "{}{same}", style(header).bold());
    if detail == Detail::Entries && plan.len() > OVERVIEW_ABOVE {
        let _ = writeln!(out, "  {}", overview(plan, deleted));
    }
    let hide = |title| Listing {
        hide_dirs,
        detail,
        title,
    };
    group(&mut out, plan, Change::New, hide("new"), '+');
    group(&mut out, plan, Change::Modified, hide("modified"), '~');
    match deleted {
        DeletedAs::ToDelete => group(&mut out, plan, Change::Deleted, hide("to delete"), '-'),
        DeletedAs::Kept => {
            let totals = plan.totals(Change::Deleted);
            if totals.count > 0 {
                let _ = writeln!(
                    out,
                    "  only here, kept: {} (-d lists them and asks, -D deletes them)",
                    counts(&totals)
                );
            }
        }
    }
    out
}

/// Plans with more entries than this start with a one-line overview, so that the counts come
/// first even when the lists are long.
const OVERVIEW_ABOVE: usize = 20;

/// "120 new (3.1 MiB), 4 modified (12 KiB), 2 to delete (1 KiB)"
fn overview(plan: &Plan, deleted: DeletedAs) -> String {
    let deleted_title = match deleted {
        DeletedAs::ToDelete => "to delete",
        DeletedAs::Kept => "only here, kept",
    };
    [
        (Change::New, "new"),
        (Change::Modified, "modified"),
        (Change::Deleted, deleted_title),
    ]
    .into_iter()
    .map(|(change, title)| (plan.totals(change), title))
    .filter(|(totals, _)| totals.count > 0)
    .map(|(totals, title)| format!("{} {title} ({})", totals.count, human_bytes(totals.bytes)))
    .collect::<Vec<_>>()
    .join(", ")
}

/// "BACKUP /a" or "BACKUP /a, BACKUP /b"
pub(crate) fn destinations_label(destinations: &[&Location]) -> String {
    let names: Vec<String> = destinations
        .iter()
        .map(|d| format!("{} {d}", d.role()))
        .collect();
    names.join(", ")
}

#[derive(Clone, Copy)]
struct Listing<'a> {
    hide_dirs: bool,
    detail: Detail,
    title: &'a str,
}

fn group(out: &mut String, plan: &Plan, change: Change, listing: Listing<'_>, mark: char) {
    let Listing {
        hide_dirs,
        detail,
        title,
    } = listing;
    let totals = plan.totals(change);
    if totals.count == 0 {
        return;
    }
    let hidden = if hide_dirs && totals.dirs > 0 {
        format!(
            ", {} hidden",
            plural(totals.dirs, "directory", "directories")
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "  {}: {}{hidden}",
        style(title).bold(),
        counts(&totals)
    );
    if detail == Detail::Counts {
        return;
    }
    for entry in plan.entries(change) {
        if hide_dirs && entry.file_type == FileType::Dir {
            continue;
        }
        let line = format!("{mark} {}{}", display_name(plan, entry), type_change(entry));
        let styled = match change {
            Change::New => style(line).green(),
            Change::Modified => style(line).yellow(),
            _ => style(line).red(),
        };
        let _ = writeln!(out, "    {styled}");
    }
}

fn type_change(entry: &Entry) -> String {
    match (entry.replaces, entry.replaces_entries) {
        (Some(old), 0) => format!("  ({} replaces {old})", entry.file_type),
        (Some(old), n) => format!(
            "  ({} replaces {old} of {}, which go with it)",
            entry.file_type,
            plural(n, "entry", "entries")
        ),
        (None, _) => String::new(),
    }
}

/// "3 entries, 12.0 KiB"
pub(crate) fn counts(totals: &Totals) -> String {
    format!(
        "{}, {}",
        plural(totals.count, "entry", "entries"),
        human_bytes(totals.bytes)
    )
}

pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Bytes in binary units: `512 B`, `1.5 KiB`, `3.2 GiB`.
pub(crate) fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

fn display_name(plan: &Plan, entry: &Entry) -> String {
    let mut name = escape(plan.name_of(entry));
    if entry.file_type == FileType::Dir {
        name.push('/');
    }
    name
}

/// A name as printable text: control characters and bytes that are not UTF-8 are shown as
/// escapes (`\n`, `\t`, `\xff`), so that every entry is one line and nothing reaches the
/// terminal as a control sequence.
pub(crate) fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\\' => out.push_str("\\\\"),
                // Direction overrides could make a name look like another one.
                '\u{200E}'
                | '\u{200F}'
                | '\u{061C}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}' => {
                    let _ = write!(out, "\\u{{{:04x}}}", u32::from(c));
                }
                c if c.is_control() => {
                    let mut buf = [0; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        let _ = write!(out, "\\x{b:02x}");
                    }
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_human() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(5 * 1024 * 1024 * 1024), "5.0 GiB");
    }

    #[test]
    fn names_are_escaped_onto_one_line() {
        assert_eq!(escape(b"a\nb\tc\\d"), "a\\nb\\tc\\\\d");
        assert_eq!(escape(b"bad\xffbyte\x1b[31m"), "bad\\xffbyte\\x1b[31m");
        assert_eq!(escape("café ok".as_bytes()), "café ok");
        assert_eq!(
            escape("evil\u{202e}txt.exe".as_bytes()),
            "evil\\u{202e}txt.exe"
        );
    }
}
