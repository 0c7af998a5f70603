use std::fmt;
use std::io;
use std::net::SocketAddr;

/// A failure that ends a program, printed as one line.
///
/// `fn main() -> Result<(), Error>` prints a returned error as
/// `Error: {error:?}` on standard error and exits with status 1. The `Debug`
/// form here is the plain message, so the user reads one clear line, not a
/// struct dump or a backtrace.
pub struct Error(String);

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Error(message.into())
    }

    /// A server could not bind its address.
    pub fn bind(address: SocketAddr, error: io::Error) -> Self {
        let hint = match error.kind() {
            io::ErrorKind::AddrInUse => {
                "; is another server already using this port? \
                 (stop it, or pick another with --port)"
            }
            io::ErrorKind::PermissionDenied => {
                "; ports below 1024 need administrator rights"
            }
            io::ErrorKind::AddrNotAvailable => {
                "; that address does not belong to this machine"
            }
            _ => "",
        };
        Error(format!("cannot bind {address}: {error}{hint}"))
    }

    /// A TCP client could not connect to its server.
    pub fn connect(host: &str, port: u16, error: io::Error) -> Self {
        let hint = match error.kind() {
            io::ErrorKind::ConnectionRefused => {
                "; is the server running, on this host and port?"
            }
            io::ErrorKind::TimedOut | io::ErrorKind::HostUnreachable => {
                "; is the host up and reachable?"
            }
            _ => "",
        };
        Error(format!(
            "cannot connect to {host} port {port}: {error}{hint}"
        ))
    }
}

impl From<io::Error> for Error {
    fn from(error: io::Error) -> Self {
        Error(error.to_string())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}
