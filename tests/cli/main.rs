//! Integration tests: the real micsync binary and the real rsync on temporary trees.

mod actions;
mod configuration;
mod names;
mod paths;
mod status;
mod terminal;
mod testenv;
