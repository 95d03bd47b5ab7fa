//! Parsing of rsync's itemized output, as produced with `--out-format='%i %l %n'` under
//! `LC_ALL=C` and without `-8` (rsync-notes.md section 1).
//!
//! A line is an 11-character change code, a space, the length, a space and the escaped name.
//! The name is last so that nothing in it can be mistaken for another field.

use std::fmt;

/// The kind of file system entry an item line is about (the second character of the code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    File,
    Dir,
    Symlink,
    Device,
    Special,
}

impl fmt::Display for FileType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileType::File => "file",
            FileType::Dir => "directory",
            FileType::Symlink => "symlink",
            FileType::Device => "device",
            FileType::Special => "special file",
        })
    }
}

/// What rsync says it does with an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `*deleting`: the entry is removed from the destination.
    Delete,
    /// `+++++++++`: the entry does not exist at the destination (or has another type there).
    Create,
    /// `<`, `>`, or `c` without `+`: data or a link's target is sent.
    Update,
    /// `.`: only attributes (times, permissions, owner) differ.
    Attributes,
}

/// One parsed item line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub action: Action,
    pub file_type: FileType,
    /// `%l`: the length in bytes (0 for deletions).
    pub size: u64,
    /// The decoded name relative to the transfer root, without the trailing `/` of directories.
    pub name: Vec<u8>,
}

/// A line rsync printed that is not an item: a message such as `created directory x` or
/// `cannot delete non-empty directory: d`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Item(Item),
    Other(String),
}

const CODE_LEN: usize = 11;

/// Parses one line of output, without its line end.
pub fn parse_line(line: &[u8]) -> Line {
    match parse_item(line) {
        Some(item) => Line::Item(item),
        None => Line::Other(String::from_utf8_lossy(line).into_owned()),
    }
}

fn parse_item(line: &[u8]) -> Option<Item> {
    let code = line.get(..CODE_LEN)?;
    if line.get(CODE_LEN) != Some(&b' ') {
        return None;
    }
    let (action, file_type) = classify(code)?;
    let rest = &line[CODE_LEN + 1..];
    let space = rest.iter().position(|&b| b == b' ')?;
    let size = parse_size(&rest[..space])?;
    let mut name = unescape(&rest[space + 1..]);
    let is_dir_name = name.len() > 1 && name.last() == Some(&b'/');
    if is_dir_name || name == b"./" {
        name.pop();
    }
    // rsync never prints a NUL in a name (no name can hold one); a decoded `\#000` would split
    // the entry in two in a NUL-separated `--files-from` list, so such a line is not an item.
    if name.is_empty() || name.contains(&0) {
        return None;
    }
    let file_type = match (action, is_dir_name || name == b".") {
        (Action::Delete, true) => FileType::Dir,
        _ => file_type,
    };
    Some(Item {
        action,
        file_type,
        size,
        name,
    })
}

fn classify(code: &[u8]) -> Option<(Action, FileType)> {
    if code == b"*deleting  " {
        return Some((Action::Delete, FileType::File));
    }
    let file_type = match code[1] {
        b'f' => FileType::File,
        b'd' => FileType::Dir,
        b'L' => FileType::Symlink,
        b'D' => FileType::Device,
        b'S' => FileType::Special,
        _ => return None,
    };
    let attributes = &code[2..];
    if !attributes
        .iter()
        .all(|b| b" .+?".contains(b) || b.is_ascii_alphabetic())
    {
        return None;
    }
    let action = match (code[0], attributes == b"+++++++++") {
        (b'<' | b'>' | b'c' | b'h', true) => Action::Create,
        (b'<' | b'>' | b'c' | b'h', false) => Action::Update,
        (b'.', false) => Action::Attributes,
        _ => return None,
    };
    Some((action, file_type))
}

/// `%l` is plain digits under `LC_ALL=C`; separators from other locales are skipped.
fn parse_size(field: &[u8]) -> Option<u64> {
    let mut size: u64 = 0;
    let mut seen_digit = false;
    for &b in field {
        match b {
            b'0'..=b'9' => {
                size = size.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
                seen_digit = true;
            }
            b',' | b'.' | b'\'' => {}
            _ => return None,
        }
    }
    seen_digit.then_some(size)
}

/// Replaces every `\#ooo` (three octal digits) with that byte. rsync escapes the backslash of a
/// literal `\#ooo` in a name, so the decoding is unambiguous.
pub fn unescape(escaped: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(escaped.len());
    let mut i = 0;
    while i < escaped.len() {
        if let Some(byte) = escape_at(escaped, i) {
            out.push(byte);
            i += 5;
        } else {
            out.push(escaped[i]);
            i += 1;
        }
    }
    out
}

fn escape_at(s: &[u8], i: usize) -> Option<u8> {
    let seq = s.get(i..i + 5)?;
    if seq[0] != b'\\' || seq[1] != b'#' {
        return None;
    }
    let mut value: u32 = 0;
    for &d in &seq[2..] {
        if !(b'0'..=b'7').contains(&d) {
            return None;
        }
        value = value * 8 + u32::from(d - b'0');
    }
    u8::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(line: &[u8]) -> Item {
        match parse_line(line) {
            Line::Item(item) => item,
            Line::Other(text) => panic!("not an item: {text}"),
        }
    }

    #[test]
    fn a_name_with_a_nul_is_not_an_item() {
        // Found by fuzz::plans_from_any_output_never_panic: it reached a --from0 list as two
        // entries.
        assert!(matches!(parse_line(b"*deleting   0 \0\\"), Line::Other(_)));
        assert!(matches!(
            parse_line(br">f+++++++++ 1 a\#000b"),
            Line::Other(_)
        ));
    }

    #[test]
    fn line_kinds_are_classified() {
        type Case<'a> = (&'a [u8], Action, FileType, &'a [u8], u64);
        let cases: [Case; 12] = [
            (
                b"*deleting   0 olddir/c",
                Action::Delete,
                FileType::File,
                b"olddir/c",
                0,
            ),
            (
                b"*deleting   0 olddir/",
                Action::Delete,
                FileType::Dir,
                b"olddir",
                0,
            ),
            (
                b">f+++++++++ 12 new.txt",
                Action::Create,
                FileType::File,
                b"new.txt",
                12,
            ),
            (
                b"cd+++++++++ 4096 newdir/",
                Action::Create,
                FileType::Dir,
                b"newdir",
                4096,
            ),
            (
                b">f.s....... 7 modified.txt",
                Action::Update,
                FileType::File,
                b"modified.txt",
                7,
            ),
            (
                b">f..t...... 7 timeonly.txt",
                Action::Update,
                FileType::File,
                b"timeonly.txt",
                7,
            ),
            (
                b".f...p..... 7 perms.txt",
                Action::Attributes,
                FileType::File,
                b"perms.txt",
                7,
            ),
            (
                b".d..t...... 4096 ./",
                Action::Attributes,
                FileType::Dir,
                b".",
                4096,
            ),
            (
                b"cL+++++++++ 8 link",
                Action::Create,
                FileType::Symlink,
                b"link",
                8,
            ),
            (
                b"cLc........ 7 link3",
                Action::Update,
                FileType::Symlink,
                b"link3",
                7,
            ),
            (b"<f+++++++++ 1 a", Action::Create, FileType::File, b"a", 1),
            (b">f.sT...... 3 f", Action::Update, FileType::File, b"f", 3),
        ];
        for (line, action, file_type, name, size) in cases {
            let got = item(line);
            assert_eq!(
                (got.action, got.file_type, got.name.as_slice(), got.size),
                (action, file_type, name, size),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn hostile_names_are_decoded_exactly() {
        let cases: [(&[u8], &[u8]); 10] = [
            (br">f+++++++++ 1 new\#012line", b"new\nline"),
            (br">f+++++++++ 1 cr\#015", b"cr\r"),
            (br">f+++++++++ 1 bad\#377byte", b"bad\xffbyte"),
            (br">f+++++++++ 1 caf\#303\#251", "café".as_bytes()),
            (br">f+++++++++ 1 lit\#134#101", br"lit\#101"),
            (
                br">f+++++++++ 1 back\slash and\ttab",
                b"back\\slash and\\ttab",
            ),
            (
                b">f+++++++++ 1  leading and trailing ",
                b" leading and trailing ",
            ),
            (b">f+++++++++ 1 --delete", b"--delete"),
            (b">f+++++++++ 1 a -> b", b"a -> b"),
            (b">f+++++++++ 1 #comment;x", b"#comment;x"),
        ];
        for (line, name) in cases {
            assert_eq!(item(line).name, name, "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn a_new_file_named_like_a_deletion_is_a_new_file() {
        let got = item(b">f+++++++++ 3 *deleting   x");
        assert_eq!(
            (got.action, got.name.as_slice()),
            (Action::Create, &b"*deleting   x"[..])
        );
    }

    #[test]
    fn messages_are_not_items() {
        for line in [
            &b"created directory /d/x"[..],
            b"cannot delete non-empty directory: olddir",
            b"IO error encountered -- skipping file deletion",
            b"sending incremental file list",
            b"",
            b">f+++++++++",
            b">x+++++++++ 1 name",
            b">f+++++++++ abc name",
            b">f+++++++++ 1 ",
        ] {
            assert!(
                matches!(parse_line(line), Line::Other(_)),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn incomplete_escapes_stay_literal() {
        assert_eq!(unescape(br"a\#1"), br"a\#1");
        assert_eq!(unescape(br"a\#999"), br"a\#999");
        assert_eq!(unescape(br"\#"), br"\#");
    }
}
