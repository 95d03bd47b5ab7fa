//! The micsync binary: everything happens in the library; this only hands over the exit status.

fn main() -> std::process::ExitCode {
    micsync::main_exit_code()
}
