//! Hostile names, generated: trees of random names (any byte but `/` and NUL, leading dashes,
//! `#` and `;` first, newlines, names of 255 bytes, deep paths) are backed up exactly.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;

use proptest::prelude::*;

use crate::testenv::TestEnv;

/// Names micsync keeps for itself, and `.` and `..`, which are not names.
const NOT_NAMES: [&[u8]; 4] = [b".", b"..", b".micsync-partial", b".micsyncignore"];

/// One file name: a hostile start, then any bytes but `/` and NUL; sometimes 255 bytes long.
fn name() -> impl Strategy<Value = Vec<u8>> {
    let start = prop::sample::select(vec![
        &b""[..],
        b"-",
        b"--delete ",
        b"#",
        b";",
        b"\n",
        b" ",
        b"\\#012",
    ]);
    let byte = any::<u8>().prop_filter("no / or NUL", |b| *b != b'/' && *b != 0);
    let short = prop::collection::vec(byte.clone(), 1..12);
    let long = prop::collection::vec(byte, 240..=255);
    let body = prop_oneof![8 => short, 1 => long];
    (start, body)
        .prop_map(|(start, body)| {
            let mut name = start.to_vec();
            name.extend(body);
            name.truncate(255);
            name
        })
        .prop_filter("not a reserved name", |n| {
            !NOT_NAMES.contains(&n.as_slice())
        })
}

/// Files at paths of 1 to 8 names.
fn tree() -> impl Strategy<Value = Vec<Vec<Vec<u8>>>> {
    prop::collection::vec(prop::collection::vec(name(), 1..=8), 1..12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn random_names_are_backed_up_exactly(files in tree()) {
        let env = TestEnv::new();
        env.mkdir("home/docs");
        env.mkdir("usb1/docs");
        env.config(&[("documents", &["home/docs"], &["usb1/docs"])]);
        let root = env.path("home/docs");
        for (index, components) in files.iter().enumerate() {
            let mut path = root.clone();
            for component in components {
                path.push(OsStr::from_bytes(component));
            }
            // A path below an earlier file cannot exist; such a file is left out.
            let _ = fs::create_dir_all(path.parent().unwrap())
                .and_then(|()| fs::write(&path, index.to_string()));
        }
        let run = env.run(&["--backup", "docs"]);
        prop_assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
        prop_assert_eq!(env.tree("usb1/docs"), env.tree("home/docs"));
    }
}
