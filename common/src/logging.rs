use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Sends diagnostics to standard error, so standard output stays exactly
/// what the Python program prints.
///
/// `RUST_LOG` picks what is shown: by default `info` (a server's bound
/// address, and every warning); `RUST_LOG=debug` shows each step of each
/// exchange.
pub fn init_logging() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
}
