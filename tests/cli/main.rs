//! Integration tests: the real micsync binary and the real rsync on temporary trees.

mod actions;
mod config_edit;
mod configuration;
mod history;
mod list;
mod names;
mod paths;
mod status;
mod status_report;
mod terminal;
mod testenv;
