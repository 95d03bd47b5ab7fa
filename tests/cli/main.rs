//! Integration tests: the real micsync binary and the real rsync on temporary trees.

mod actions;
mod configuration;
mod generate;
mod names;
mod paths;
mod status;
mod testenv;
