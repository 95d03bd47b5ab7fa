//! A destination's plan: what one rsync dry run says will change there, classified as new,
//! modified and to-be-deleted entries, and the lists of approved entries that execute it.
//!
//! Names are kept in one byte arena so that a plan of a million entries stays small.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::itemize::{self, Action, FileType, Item, Line};

/// How an entry changes at the destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The destination has nothing at that path.
    New,
    /// The destination holds something else there: other data, other attributes, another link
    /// target, or an entry of another type (then `replaces` says which).
    Modified,
    /// Only the destination has it.
    Deleted,
    /// A directory whose times or permissions differ. Applied along with other changes, never
    /// asked about, and not counted: it loses nothing.
    DirAttributes,
}

/// One planned change.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    start: usize,
    len: usize,
    pub change: Change,
    pub file_type: FileType,
    /// The size of a file's data in bytes (0 for directories).
    pub size: u64,
    /// For a type change, what the destination holds now.
    pub replaces: Option<FileType>,
    /// For a file that replaces a folder: how many entries that folder holds, which go with it.
    pub replaces_entries: usize,
}

/// What the destination holds at a path, for spotting type changes and sizing deletions.
pub trait Destination {
    /// The type and size of what is at `rel`, without following a final symlink.
    fn probe(&self, rel: &[u8]) -> Option<(FileType, u64)>;
}

/// Count and byte total of one group of entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub count: usize,
    pub dirs: usize,
    pub bytes: u64,
}

/// A `--files-from` list of approved entries and what it holds.
#[derive(Debug, Default, Clone)]
pub struct List {
    /// `./name` entries, each ended by a NUL.
    pub bytes: Vec<u8>,
    pub new: usize,
    pub modified: usize,
    /// Entries removed, counting those below a listed folder.
    pub deleted: usize,
    /// Data the list sends.
    pub bytes_to_send: u64,
    /// An entry replaces a folder, so the run needs rsync's `--force`.
    pub needs_force: bool,
    /// The entries whose present contents at the destination this list overwrites (a copy list)
    /// or deletes (a deletion list), NUL-separated, directories with a trailing `/`.
    pub lost: Vec<u8>,
}

impl List {
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// The classified changes for one destination.
#[derive(Debug, Default)]
pub struct Plan {
    names: Vec<u8>,
    entries: Vec<Entry>,
    /// rsync's lines that are not items (for example "cannot delete non-empty directory").
    pub messages: Vec<String>,
}

/// Builds a plan from rsync's output, one line at a time.
#[derive(Debug)]
pub struct PlanBuilder<'a, D: Destination> {
    plan: Plan,
    destination: &'a D,
    /// Paths given on the command line; attribute changes of their ancestors are not applied.
    requested: Vec<Vec<u8>>,
    /// Directories this plan creates: nothing below them exists at the destination.
    created_dirs: HashSet<Vec<u8>>,
}

impl<'a, D: Destination> PlanBuilder<'a, D> {
    pub fn new(destination: &'a D, requested: &[&Path]) -> Self {
        use std::os::unix::ffi::OsStrExt;
        PlanBuilder {
            plan: Plan::default(),
            destination,
            requested: requested
                .iter()
                .map(|p| p.as_os_str().as_bytes().to_vec())
                .collect(),
            created_dirs: HashSet::new(),
        }
    }

    /// Takes one line of `--out-format='%i %l %n'` output.
    pub fn push_line(&mut self, line: &[u8]) {
        match itemize::parse_line(line) {
            Line::Item(item) => self.push_item(item),
            Line::Other(text) if !text.trim().is_empty() => self.plan.messages.push(text),
            Line::Other(_) => {}
        }
    }

    fn push_item(&mut self, item: Item) {
        let Item {
            action,
            file_type,
            size,
            name,
        } = item;
        let data_size = if file_type == FileType::File { size } else { 0 };
        let (change, replaces, size) = match action {
            Action::Delete => {
                let size = match self.destination.probe(&name) {
                    Some((FileType::File, size)) => size,
                    _ => 0,
                };
                (Change::Deleted, None, size)
            }
            Action::Create => {
                let replaces = if self.parent_is_created(&name) {
                    None
                } else {
                    self.destination.probe(&name).map(|(t, _)| t)
                };
                if file_type == FileType::Dir {
                    self.created_dirs.insert(name.clone());
                }
                let change = if replaces.is_some() {
                    Change::Modified
                } else {
                    Change::New
                };
                (change, replaces, data_size)
            }
            Action::Update => (Change::Modified, None, data_size),
            Action::Attributes if file_type != FileType::Dir => (Change::Modified, None, 0),
            Action::Attributes if self.is_root_or_above_request(&name) => return,
            Action::Attributes => (Change::DirAttributes, None, 0),
        };
        self.plan.push(&name, change, file_type, size, replaces);
    }

    fn parent_is_created(&self, name: &[u8]) -> bool {
        match name.iter().rposition(|&b| b == b'/') {
            Some(slash) => self.created_dirs.contains(&name[..slash]),
            None => false,
        }
    }

    /// `.` (never listed: rsync would send the root's whole contents) and strict ancestors of
    /// a requested path, which rsync's `-R` itemizes as implied directories.
    fn is_root_or_above_request(&self, name: &[u8]) -> bool {
        name == b"."
            || self
                .requested
                .iter()
                .any(|r| r.len() > name.len() && r.starts_with(name) && r[name.len()] == b'/')
    }

    /// Finishes the plan: deletions below an entry whose type changes belong to that change,
    /// since replacing the directory removes them.
    pub fn finish(mut self) -> Plan {
        let replaced: HashMap<Vec<u8>, usize> = self
            .plan
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.replaces == Some(FileType::Dir))
            .map(|(i, e)| (self.plan.name_of(e).to_vec(), i))
            .collect();
        if replaced.is_empty() {
            return self.plan;
        }
        let mut counts = vec![0; self.plan.entries.len()];
        let keep: Vec<bool> = self
            .plan
            .entries
            .iter()
            .map(|e| {
                let owner = (e.change == Change::Deleted)
                    .then(|| ancestor_in(self.plan.name_of(e), &replaced))
                    .flatten();
                if let Some(index) = owner {
                    counts[index] += 1;
                }
                owner.is_none()
            })
            .collect();
        for (entry, count) in self.plan.entries.iter_mut().zip(counts) {
            entry.replaces_entries = count;
        }
        let mut keep = keep.into_iter();
        self.plan.entries.retain(|_| keep.next().unwrap_or(true));
        self.plan
    }
}

/// The value of the nearest ancestor of `name` that is a key of `map`.
fn ancestor_in(name: &[u8], map: &HashMap<Vec<u8>, usize>) -> Option<usize> {
    name.iter()
        .enumerate()
        .rev()
        .filter(|&(_, &b)| b == b'/')
        .find_map(|(i, _)| map.get(&name[..i]).copied())
}

fn has_ancestor_in(name: &[u8], set: &HashSet<&[u8]>) -> bool {
    name.iter()
        .enumerate()
        .any(|(i, &b)| b == b'/' && set.contains(&name[..i]))
}

impl Plan {
    fn push(
        &mut self,
        name: &[u8],
        change: Change,
        file_type: FileType,
        size: u64,
        replaces: Option<FileType>,
    ) {
        let start = self.names.len();
        self.names.extend_from_slice(name);
        self.entries.push(Entry {
            replaces_entries: 0,
            start,
            len: name.len(),
            change,
            file_type,
            size,
            replaces,
        });
    }

    /// The entry's path relative to the location, as raw bytes.
    pub fn name_of(&self, entry: &Entry) -> &[u8] {
        &self.names[entry.start..entry.start + entry.len]
    }

    /// The entries of one kind of change, in rsync's order.
    pub fn entries(&self, change: Change) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(move |e| e.change == change)
    }

    /// Count, directories and bytes of one kind of change.
    pub fn totals(&self, change: Change) -> Totals {
        self.entries(change).fold(Totals::default(), |mut t, e| {
            t.count += 1;
            t.dirs += usize::from(e.file_type == FileType::Dir);
            t.bytes += e.size;
            t
        })
    }

    /// Whether `other` makes exactly the same changes (then one question can cover both).
    pub fn has_same_changes(&self, other: &Plan) -> bool {
        let same = |a: &Entry, b: &Entry| {
            self.name_of(a) == other.name_of(b)
                && (
                    a.change,
                    a.file_type,
                    a.size,
                    a.replaces,
                    a.replaces_entries,
                ) == (
                    b.change,
                    b.file_type,
                    b.size,
                    b.replaces,
                    b.replaces_entries,
                )
        };
        self.entries.len() == other.entries.len()
            && self
                .entries
                .iter()
                .zip(&other.entries)
                .all(|(a, b)| same(a, b))
    }

    /// The number of planned changes, directory attributes included.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing would be created, modified or deleted.
    pub fn is_empty(&self) -> bool {
        self.entries
            .iter()
            .all(|e| e.change == Change::DirAttributes)
    }

    /// The NUL-separated `--files-from` list that creates the new entries and applies the
    /// directory attributes that go with them; empty when nothing is new. Each entry is written
    /// `./name` so that a leading `#` or `;` is not taken as a comment, and directories without
    /// a trailing `/` so that only they are sent. New entries below a folder that replaces a
    /// file are left out unless that replacement is approved (`with_modified`): the destination
    /// has a file there.
    pub fn new_list(&self, with_modified: bool) -> List {
        let declined: HashSet<&[u8]> = if with_modified {
            HashSet::new()
        } else {
            self.entries(Change::Modified)
                .filter(|e| e.replaces.is_some() && e.file_type == FileType::Dir)
                .map(|e| self.name_of(e))
                .collect()
        };
        let is_new =
            |e: &Entry| e.change == Change::New && !has_ancestor_in(self.name_of(e), &declined);
        if !self.entries.iter().any(is_new) {
            return List::default();
        }
        self.list(|e| is_new(e) || e.change == Change::DirAttributes)
    }

    /// The list that overwrites the modified entries. `needs_force` is set when one of them
    /// replaces a folder, which rsync only removes with `--force`; `deleted` counts what such
    /// folders held.
    pub fn modified_list(&self) -> List {
        self.overwriting_list(|e| e.change == Change::Modified)
    }

    /// One list for the modified and the new entries (and their directory attributes), for a
    /// run whose every overwrite is approved in advance (`-m`): a new entry whose place was
    /// taken since the plan is then one more modified entry, approved like the others.
    pub fn modified_and_new_list(&self) -> List {
        if self.is_empty() {
            return List::default();
        }
        self.overwriting_list(|e| e.change != Change::Deleted)
    }

    fn overwriting_list(&self, include: impl Fn(&Entry) -> bool) -> List {
        let mut list = self.list(include);
        if list.new + list.modified == 0 {
            return List::default();
        }
        list.needs_force = self
            .entries(Change::Modified)
            .any(|e| e.replaces == Some(FileType::Dir) && e.file_type != FileType::Dir);
        list.deleted = self
            .entries(Change::Modified)
            .map(|e| e.replaces_entries)
            .sum();
        list
    }

    /// The list of approved deletions, collapsed to the top of each deleted tree (rsync's
    /// `--force` removes what is below).
    pub fn delete_list(&self) -> List {
        let dirs: HashSet<&[u8]> = self
            .entries(Change::Deleted)
            .filter(|e| e.file_type == FileType::Dir)
            .map(|e| self.name_of(e))
            .collect();
        let mut list =
            self.list(|e| e.change == Change::Deleted && !has_ancestor_in(self.name_of(e), &dirs));
        list.deleted = self.totals(Change::Deleted).count;
        list.lost.clear();
        for entry in self.entries(Change::Deleted) {
            self.push_lost(&mut list, entry);
        }
        list
    }

    fn list(&self, include: impl Fn(&Entry) -> bool) -> List {
        let mut list = List::default();
        for entry in self.entries.iter().filter(|e| include(e)) {
            list.bytes.extend_from_slice(b"./");
            list.bytes.extend_from_slice(self.name_of(entry));
            list.bytes.push(0);
            match entry.change {
                Change::New => list.new += 1,
                Change::Modified => {
                    list.modified += 1;
                    self.push_lost(&mut list, entry);
                }
                _ => {}
            }
            if entry.change != Change::Deleted {
                list.bytes_to_send += entry.size;
            }
        }
        list
    }

    fn push_lost(&self, list: &mut List, entry: &Entry) {
        list.lost.extend_from_slice(self.name_of(entry));
        if entry.file_type == FileType::Dir {
            list.lost.push(b'/');
        }
        list.lost.push(0);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// A destination described by a map from names to what is there.
    struct Fake(HashMap<Vec<u8>, (FileType, u64)>);

    impl Destination for Fake {
        fn probe(&self, rel: &[u8]) -> Option<(FileType, u64)> {
            self.0.get(rel).copied()
        }
    }

    fn plan(lines: &[&[u8]], existing: &[(&[u8], FileType, u64)], requested: &[&Path]) -> Plan {
        let dest = Fake(
            existing
                .iter()
                .map(|(n, t, s)| (n.to_vec(), (*t, *s)))
                .collect(),
        );
        let mut builder = PlanBuilder::new(&dest, requested);
        for line in lines {
            builder.push_line(line);
        }
        builder.finish()
    }

    fn names(plan: &Plan, change: Change) -> Vec<String> {
        plan.entries(change)
            .map(|e| String::from_utf8_lossy(plan.name_of(e)).into_owned())
            .collect()
    }

    fn split(list: &List) -> Vec<String> {
        list.bytes
            .split(|&b| b == 0)
            .filter(|s| !s.is_empty())
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect()
    }

    #[test]
    fn lines_are_grouped_with_counts_and_sizes() {
        let p = plan(
            &[
                b"*deleting   0 gone",
                b">f.s....... 4 a/m",
                b"cd+++++++++ 4096 a/b/",
                b">f+++++++++ 3 a/b/f",
                b".d..t...... 4096 a/",
                b"created directory /x",
            ],
            &[(b"gone", FileType::File, 10)],
            &[Path::new("")],
        );
        assert_eq!(names(&p, Change::New), ["a/b", "a/b/f"]);
        assert_eq!(names(&p, Change::Modified), ["a/m"]);
        assert_eq!(
            p.totals(Change::Deleted),
            Totals {
                count: 1,
                dirs: 0,
                bytes: 10
            }
        );
        assert_eq!(
            p.totals(Change::New),
            Totals {
                count: 2,
                dirs: 1,
                bytes: 3
            }
        );
        assert_eq!(p.messages, ["created directory /x"]);
        assert!(!p.is_empty());
    }

    #[test]
    fn a_file_replacing_a_folder_is_a_modification_that_owns_the_folders_deletions() {
        let p = plan(
            &[
                b"*deleting   0 tc/deep/f",
                b"*deleting   0 tc/deep/",
                b">f+++++++++ 2 tc",
            ],
            &[(b"tc", FileType::Dir, 0)],
            &[Path::new("")],
        );
        assert_eq!(names(&p, Change::Modified), ["tc"]);
        assert_eq!(
            p.entries(Change::Modified).next().unwrap().replaces,
            Some(FileType::Dir)
        );
        assert!(names(&p, Change::Deleted).is_empty());
        assert_eq!(split(&p.modified_list()), ["./tc"]);
        assert!(p.modified_list().needs_force);
        assert!(p.new_list(false).is_empty());
        assert_eq!(
            p.entries(Change::Modified).next().unwrap().replaces_entries,
            2
        );
    }

    #[test]
    fn a_folder_replacing_a_file_is_a_modification_and_its_contents_are_new() {
        let p = plan(
            &[b"cd+++++++++ 4096 z/", b">f+++++++++ 1 z/a"],
            &[(b"z", FileType::File, 5)],
            &[],
        );
        assert_eq!(names(&p, Change::Modified), ["z"]);
        assert_eq!(names(&p, Change::New), ["z/a"]);
    }

    #[test]
    fn declining_a_folder_that_replaces_a_file_leaves_out_its_contents() {
        let p = plan(
            &[
                b"cd+++++++++ 4096 z/",
                b">f+++++++++ 1 z/a",
                b">f+++++++++ 1 other",
            ],
            &[(b"z", FileType::File, 5)],
            &[],
        );
        assert_eq!(split(&p.new_list(false)), ["./other"]);
        assert_eq!(split(&p.new_list(true)), ["./z/a", "./other"]);
        let modified = p.modified_list();
        assert_eq!(split(&modified), ["./z"]);
        assert!(
            !modified.needs_force,
            "a folder replacing a file needs no --force"
        );
    }

    #[test]
    fn with_overwrites_approved_in_advance_one_list_holds_modified_and_new_entries() {
        let p = plan(
            &[
                b"*deleting   0 gone",
                b">f.s....... 4 m",
                b">f+++++++++ 3 n",
                b".d..t...... 4096 d/",
            ],
            &[(b"gone", FileType::File, 1)],
            &[Path::new("")],
        );
        let list = p.modified_and_new_list();
        assert_eq!(split(&list), ["./m", "./n", "./d"]);
        assert_eq!((list.new, list.modified, list.needs_force), (1, 1, false));
        let only_attributes = plan(&[b".d..t...... 4096 d/"], &[], &[Path::new("")]);
        assert!(only_attributes.modified_and_new_list().is_empty());
    }

    #[test]
    fn below_a_created_folder_the_destination_is_not_probed() {
        // z/a "exists" in the fake, but z is created by the plan, so it cannot.
        let p = plan(
            &[b"cd+++++++++ 4096 z/", b">f+++++++++ 1 z/a"],
            &[(b"z/a", FileType::File, 5)],
            &[],
        );
        assert_eq!(names(&p, Change::New), ["z", "z/a"]);
    }

    #[test]
    fn root_and_ancestors_of_requested_paths_keep_their_attributes() {
        let p = plan(
            &[
                b".d..t...... 4096 ./",
                b".d..t...... 4096 a/",
                b".d..t...... 4096 a/b/",
                b".d..t...... 4096 a/b/c/",
                b">f+++++++++ 1 a/b/c/n",
            ],
            &[],
            &[Path::new("a/b")],
        );
        assert_eq!(split(&p.new_list(false)), ["./a/b", "./a/b/c", "./a/b/c/n"]);
    }

    #[test]
    fn attribute_only_changes_of_folders_do_not_make_a_plan() {
        let p = plan(&[b".d..t...... 4096 sub/"], &[], &[Path::new("")]);
        assert!(p.is_empty());
        assert!(p.new_list(true).is_empty());
    }

    #[test]
    fn attribute_changes_of_files_are_modifications() {
        let p = plan(&[b".f...p..... 7 perms.txt"], &[], &[Path::new("")]);
        assert_eq!(names(&p, Change::Modified), ["perms.txt"]);
    }

    #[test]
    fn deleted_trees_are_listed_by_their_top() {
        let p = plan(
            &[
                b"*deleting   0 old/x/y",
                b"*deleting   0 old/x/",
                b"*deleting   0 old/",
                b"*deleting   0 #f",
            ],
            &[],
            &[Path::new("")],
        );
        assert_eq!(p.totals(Change::Deleted).count, 4);
        assert_eq!(split(&p.delete_list()), ["./old", "./#f"]);
        assert_eq!(p.delete_list().lost, b"old/x/y\0old/x/\0old/\0#f\0");
    }

    #[test]
    fn only_overwritten_entries_are_lost_by_a_copy() {
        let p = plan(
            &[b">f.s....... 4 a/m", b">f+++++++++ 3 a/n"],
            &[],
            &[Path::new("")],
        );
        assert_eq!(p.modified_list().lost, b"a/m\0");
        assert!(p.new_list(false).lost.is_empty());
    }

    #[test]
    fn hostile_names_reach_the_lists_exactly() {
        let p = plan(
            &[br">f+++++++++ 1 -n\#012x", b">f+++++++++ 1 ;semi"],
            &[],
            &[Path::new("")],
        );
        assert_eq!(p.new_list(false).bytes, b"./-n\nx\0./;semi\0");
    }
}
