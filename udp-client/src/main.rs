//! The UDP client of the lecture (`docs/python/udp_client.py`), in Rust.
//!
//! It sends one sentence to the server in a single datagram and prints the
//! datagram that comes back. Start the server first, then the client:
//!
//! ```text
//! cargo run -p udp-server        # terminal 1
//! cargo run -p udp-client        # terminal 2
//! ```

use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::Duration;

use clap::Parser;
use common::{ClientAddress, Error, MAX_DATAGRAM};
use tracing::debug;

#[derive(Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ClientAddress,

    /// Seconds to wait for the reply before giving up
    #[arg(long, default_value = "3", value_parser = common::parse_seconds)]
    timeout: Duration,

    /// Sentence to send; without it, the client asks for one
    sentence: Option<String>,
}

fn main() -> Result<(), Error> {
    let args = Args::parse();
    common::init_logging();

    // serverName, serverPort: where every datagram of ours will go.
    let server_address = args.server.first_address()?;

    // socket(AF_INET, SOCK_DGRAM). Binding port 0 lets the system choose
    // our port, as Python does on the first sendto; the server learns it
    // from each datagram's source address.
    let any_address: IpAddr = if server_address.is_ipv4() {
        Ipv4Addr::UNSPECIFIED.into()
    } else {
        Ipv6Addr::UNSPECIFIED.into()
    };
    let client_socket = UdpSocket::bind((any_address, 0))?;
    // UDP never tells us a datagram was lost: without a time limit, a lost
    // request or reply would leave us waiting in recv_from forever.
    client_socket.set_read_timeout(Some(args.timeout))?;

    let message = match args.sentence {
        Some(sentence) => sentence.into_bytes(),
        None => common::input("Input lowercase sentence:")?,
    };

    // sendto: there is no connection, so each datagram names its
    // destination.
    client_socket.send_to(&message, server_address)?;
    debug!("sent {} bytes to {server_address}", message.len());

    // recvfrom: one datagram is one whole message. The Python listing reads
    // at most 2048 bytes, but an upper-cased reply can be longer than its
    // request (`ß` becomes `SS`), so we take a buffer big enough for any
    // datagram and never cut the reply.
    let mut buffer = vec![0; MAX_DATAGRAM];
    let (length, server_reply_address) =
        client_socket
            .recv_from(&mut buffer)
            .map_err(|e| no_reply(e, server_address, args.timeout))?;
    let modified_message = &buffer[..length];
    debug!("received {length} bytes from {server_reply_address}");

    // print(modifiedMessage.decode()): the bytes as they came, then a
    // newline.
    let mut stdout = io::stdout().lock();
    stdout.write_all(modified_message)?;
    stdout.write_all(b"\n")?;
    stdout.flush()?;

    // clientSocket.close(): the socket is closed when it goes out of scope.
    Ok(())
}

/// Explains a `recv_from` that gave no reply.
fn no_reply(error: io::Error, server: SocketAddr, wait: Duration) -> Error {
    match error.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
            Error::new(format!(
                "no reply from {server} within {} s: is the server running? \
                 (UDP does not report a lost datagram; try again, or raise \
                 --timeout)",
                wait.as_secs_f64()
            ))
        }
        _ => Error::new(format!("no reply from {server}: {error}")),
    }
}
