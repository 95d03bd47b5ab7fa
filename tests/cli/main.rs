//! Integration tests: the real micsync binary and the real rsync on temporary trees.

mod actions;
mod concurrency;
mod config_edit;
mod configuration;
mod deletion;
mod faults;
mod generate;
mod history;
mod hostile;
mod list;
mod names;
mod paths;
mod races;
mod status;
mod status_report;
mod system;
mod terminal;
mod testenv;
mod unmounted;
