//! Integration tests: the real micsync binary and the real rsync on temporary trees.

mod actions;
mod concurrency;
mod configuration;
mod deletion;
mod faults;
mod hostile;
mod names;
mod paths;
mod status;
mod system;
mod testenv;
mod unmounted;
