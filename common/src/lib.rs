//! What the four socket programs share, so that each `main.rs` holds only
//! its socket calls, in the order of its Python listing:
//!
//! - [`to_upper`]: the server's transform, Python's `str.upper()` on bytes;
//! - the lecture's defaults ([`DEFAULT_PORT`], the buffer sizes, the backlog)
//!   and the `--host`/`--port` arguments ([`ClientAddress`],
//!   [`ServerAddress`]);
//! - [`input`]: Python's `input(prompt)` for the clients, which drops the
//!   line ending as Python does on each system ([`LineEnding`]), and
//!   [`input_stream`], the same line a piece at a time;
//! - [`Error`]: a failure printed as one clear line;
//! - [`init_logging`]: diagnostics on standard error, filtered by `RUST_LOG`;
//! - [`RateLimit`]: at most one warning a second for each kind;
//! - [`Backoff`]: a growing pause after a failure that passes by itself;
//! - [`Bounded`]: a TCP stream whose reads and writes end by one deadline.

mod address;
mod backoff;
mod bounded;
mod error;
mod input;
mod logging;
mod rate_limit;
mod text;

pub use address::{
    ClientAddress, ServerAddress, parse_buffer_size, parse_seconds,
    parse_server_port,
};
pub use backoff::Backoff;
pub use bounded::Bounded;
pub use error::Error;
pub use input::{Line, LineEnding, input, input_stream};
pub use logging::init_logging;
pub use rate_limit::{HeldBack, RateLimit};
pub use text::to_upper;

/// The port of every listing. Above 1023, so no privileges are needed, and
/// not a well-known port: a proprietary application picks its own.
pub const DEFAULT_PORT: u16 = 12000;

/// `serverSocket.recvfrom(2048)` in the UDP server listing.
pub const UDP_BUFFER_SIZE: usize = 2048;

/// `connectionSocket.recv(1024)` in the TCP server listing.
pub const TCP_BUFFER_SIZE: usize = 1024;

/// `serverSocket.listen(1)` in the TCP server listing.
pub const BACKLOG: i32 = 1;

/// The largest payload one UDP datagram can carry (65,535 bytes in the
/// length field, less the 8-byte UDP header; IPv4 takes 20 more for its own
/// header). A buffer this big receives any datagram whole.
pub const MAX_DATAGRAM: usize = 65_535 - 8;

/// The largest payload one IPv4 datagram can carry: 65,535 bytes in the IP
/// length field, less its 20-byte header and the 8-byte UDP header.
pub const MAX_IPV4_DATAGRAM: usize = 65_535 - 20 - 8;
