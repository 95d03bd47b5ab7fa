//! Property tests over arbitrary input, in place of cargo-fuzz (which needs a nightly
//! toolchain): the configuration loader and the itemize parser must give an answer or a clear
//! error for any input, never panic. CI runs a bounded number of cases; a longer search is
//! `PROPTEST_CASES=100000 cargo test --lib fuzz`. A crash found here becomes a regression test
//! in the module it is about.

use std::path::Path;

use proptest::prelude::*;

use crate::config;
use crate::itemize::{self, FileType};
use crate::plan::{Destination, PlanBuilder};

/// A destination where every probe answers "a file of 7 bytes", so that every branch of the
/// plan builder that looks at the destination runs.
struct Everything;

impl Destination for Everything {
    fn probe(&self, _rel: &[u8]) -> Option<(FileType, u64)> {
        Some((FileType::File, 7))
    }
}

fn parse_config(text: &str) -> Result<Vec<config::Configuration>, config::ConfigError> {
    config::parse(
        text,
        Path::new("/cfg/m.json"),
        Path::new("/cfg"),
        Path::new("/home/u"),
    )
}

/// JSON values that are often almost right: strings, lists of strings, and the wrong types.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let string = any::<String>().prop_map(serde_json::Value::from);
    let path = prop::sample::select(vec![
        "~", "~/", "/", ".", "..", "", "a/../..", "/mnt/x/", "~u",
    ])
    .prop_map(serde_json::Value::from);
    let leaf = prop_oneof![
        string,
        path,
        any::<i64>().prop_map(serde_json::Value::from),
        Just(serde_json::Value::Null),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop::collection::vec(inner, 0..4).prop_map(serde_json::Value::Array)
    })
}

/// Configuration files that are valid JSON with arbitrary field names and values.
fn config_text() -> impl Strategy<Value = String> {
    let field = prop::sample::select(vec!["name", "work", "backup", "exclude", "bakup", ""]);
    let config = prop::collection::btree_map(field, json_value(), 0..5).prop_map(|m| {
        serde_json::Value::Object(m.into_iter().map(|(k, v)| (k.into(), v)).collect())
    });
    prop::collection::vec(config, 0..4)
        .prop_map(|configs| serde_json::json!({ "configs": configs }).to_string())
}

/// Lines that start like rsync's item lines, followed by arbitrary bytes.
fn item_line() -> impl Strategy<Value = Vec<u8>> {
    let code = prop::sample::select(vec![
        "*deleting  ",
        ">f+++++++++",
        "cd+++++++++",
        ">f.st......",
        ".d..t......",
        "cL+++++++++",
        "hf+++++++++",
        ".f...p.....",
    ]);
    let size = prop::sample::select(vec!["0", "4096", "18446744073709551616", "1,024", "", "x"]);
    let name = prop::collection::vec(
        prop_oneof![any::<u8>(), Just(b'/'), Just(b'\\'), Just(b'#'), Just(b'.')],
        0..24,
    );
    (code, size, name).prop_map(|(code, size, name)| {
        let mut line = format!("{code} {size} ").into_bytes();
        line.extend(name);
        line
    })
}

proptest! {
    #[test]
    fn the_configuration_loader_never_panics_on_any_text(text in any::<String>()) {
        let _ = parse_config(&text);
    }

    #[test]
    fn the_configuration_loader_never_panics_on_any_fields(text in config_text()) {
        if let Err(error) = parse_config(&text) {
            prop_assert!(!error.to_string().is_empty());
        }
    }

    #[test]
    fn the_itemize_parser_never_panics(line in any::<Vec<u8>>()) {
        let _ = itemize::parse_line(&line);
    }

    #[test]
    fn plans_from_any_output_never_panic(
        lines in prop::collection::vec(prop_oneof![item_line(), any::<Vec<u8>>()], 0..16),
        requested in prop::sample::select(vec!["", "a", "a/b", "."]),
    ) {
        let destination = Everything;
        let requested = [Path::new(requested)];
        let mut builder = PlanBuilder::new(&destination, &requested);
        for line in &lines {
            builder.push_line(line);
        }
        let plan = builder.finish();
        let _ = (plan.new_list(true), plan.new_list(false), plan.delete_list());
        for list in [plan.new_list(true), plan.modified_list(), plan.delete_list()] {
            prop_assert!(list.bytes.split(|&b| b == 0).all(|e| e.is_empty() || e.starts_with(b"./")));
        }
    }
}
