use std::io::{self, IsTerminal, Write};

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

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
        .with_writer(Stderr)
        .with_ansi(io::stderr().is_terminal())
        .with_target(false)
        // A failure to log must never be reported by printing to standard
        // error: that is what just failed, and `eprintln!` would panic.
        .log_internal_errors(false)
        .init();
}

/// Standard error for the log, as a writer that never fails.
///
/// Nobody may be reading the log: after `server 2>&1 | head`, standard
/// error is a pipe whose reader has gone, and every write to it fails
/// with "Broken pipe". A server must go on serving whether or not anyone
/// reads its log, so a line that cannot be written is dropped, in every
/// thread, instead of ending the program.
struct Stderr;

impl MakeWriter<'_> for Stderr {
    type Writer = NeverFails<io::Stderr>;

    fn make_writer(&self) -> Self::Writer {
        NeverFails(io::stderr())
    }
}

/// A writer that reports every write as done, whatever became of it.
struct NeverFails<W>(W);

impl<W: Write> Write for NeverFails<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // One log line comes in one call: written whole, or dropped.
        let _ = self.0.write_all(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let _ = self.0.flush();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stands for a pipe whose reader has gone.
    struct BrokenPipe;

    impl Write for BrokenPipe {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }

        fn flush(&mut self) -> io::Result<()> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
    }

    #[test]
    fn a_failed_write_is_dropped_not_reported() {
        let mut writer = NeverFails(BrokenPipe);
        assert_eq!(writer.write(b"WARN lost\n").unwrap(), 10);
        writer.write_all(b"WARN lost too\n").unwrap();
        writer.flush().unwrap();
    }

    #[test]
    fn a_working_write_passes_through() {
        let mut writer = NeverFails(Vec::new());
        writer.write_all(b"INFO listening\n").unwrap();
        assert_eq!(writer.0, b"INFO listening\n");
    }
}
