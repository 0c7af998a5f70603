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

    /// The UDP server could not bind its address.
    pub fn bind_udp(address: SocketAddr, error: io::Error) -> Self {
        Error::bind(address, error, false)
    }

    /// The TCP server could not bind its address.
    pub fn bind_tcp(address: SocketAddr, error: io::Error) -> Self {
        Error::bind(address, error, true)
    }

    fn bind(address: SocketAddr, error: io::Error, tcp: bool) -> Self {
        let hint = match error.kind() {
            io::ErrorKind::AddrInUse => in_use_hint(address.port(), tcp),
            io::ErrorKind::PermissionDenied => {
                "; ports below 1024 need administrator rights".into()
            }
            io::ErrorKind::AddrNotAvailable => {
                "; that address does not belong to this machine".into()
            }
            _ => String::new(),
        };
        Error(format!("cannot bind {address}: {error}{hint}"))
    }

    /// A TCP client could not connect to its server within `timeout`.
    pub fn connect(
        host: &str,
        port: u16,
        error: io::Error,
        timeout: std::time::Duration,
    ) -> Self {
        let hint = match error.kind() {
            // Our own bound ran out (the system's would take minutes): the
            // host may well be up, with a queue of connections too long.
            io::ErrorKind::TimedOut => {
                return Error(format!(
                    "no connection to {host} port {port} within {} s: the \
                     server may be busy (its backlog full) or a firewall \
                     may drop the connection; try again, or raise --timeout",
                    timeout.as_secs_f64()
                ));
            }
            io::ErrorKind::ConnectionRefused => {
                "; is the server running, on this host and port?"
            }
            io::ErrorKind::HostUnreachable => "; is the host up and reachable?",
            _ => "",
        };
        Error(format!(
            "cannot connect to {host} port {port}: {error}{hint}"
        ))
    }
}

/// Why a port can be in use, how to tell, and what to do. Only TCP has
/// TIME-WAIT: the side that closes a connection first keeps it for about a
/// minute, so that late segments of the old connection die out. A server
/// that closes first (as the lecture's does, right after its reply) then
/// holds its port, and Linux lets a new socket bind past that only if both
/// sockets set SO_REUSEADDR; the Python server does not.
fn in_use_hint(port: u16, tcp: bool) -> String {
    let linux = cfg!(target_os = "linux");
    // A command that lists the sockets on the port, with their states.
    let list = match (linux, tcp) {
        (true, true) => format!("ss -tan sport = :{port}"),
        (true, false) => format!("ss -uan sport = :{port}"),
        (false, _) => format!(
            "netstat -an -p {} | {} {port}",
            if tcp { "tcp" } else { "udp" },
            if cfg!(windows) { "findstr" } else { "grep" }
        ),
    };
    if !tcp {
        return format!(
            "; another program is using this UDP port (`{list}` shows it); \
             stop it, or pick another --port"
        );
    }
    let time_wait = if linux { "TIME-WAIT" } else { "TIME_WAIT" };
    format!(
        "; either another server is using this port, or a connection \
         closed moments ago still holds it (TIME-WAIT, about a minute): \
         `{list}` shows LISTEN for a server, {time_wait} for a closed \
         connection; stop that server, wait a minute, or pick another --port"
    )
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
