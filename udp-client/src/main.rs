// ANCHOR: head
//! The UDP client of the lecture (`docs/python/udp_client.py`), in Rust.
//!
//! It sends one sentence to the server in a single datagram and prints the
//! datagram that comes back. Start the server first, then the client:
//!
//! ```text
//! cargo run -p udp-server        # terminal 1
//! cargo run -p udp-client        # terminal 2
//! ```

use std::ffi::OsString;
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::Duration;

use clap::Parser;
use common::{ClientAddress, Error, MAX_DATAGRAM, MAX_IPV4_DATAGRAM};
use tracing::debug;
// ANCHOR_END: head

// ANCHOR: args
#[derive(Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ClientAddress,

    /// Seconds to wait for the reply before giving up
    #[arg(long, default_value = "3", value_parser = common::parse_seconds)]
    timeout: Duration,

    /// Sentence to send; without it, the client asks for one
    sentence: Option<OsString>,
}
// ANCHOR_END: args

// ANCHOR: address
fn main() -> Result<(), Error> {
    let args = Args::parse();
    common::init_logging();

    // serverName, serverPort: where every datagram of ours will go.
    let server_address = args.server.first_address()?;
    // ANCHOR_END: address

    // ANCHOR: socket
    // socket(AF_INET, SOCK_DGRAM). Binding port 0 lets the system choose
    // our port, as Python does on the first sendto; the server learns it
    // from each datagram's source address.
    let any_address: IpAddr = if server_address.is_ipv4() {
        Ipv4Addr::UNSPECIFIED.into()
    } else {
        Ipv6Addr::UNSPECIFIED.into()
    };
    let client_socket = UdpSocket::bind((any_address, 0))?;
    // Not in the listing: a UDP "connect" sends nothing, it only sets the
    // socket's one peer. The system then hands us only the datagrams that
    // come from the server (any other process could send to our port), and
    // tells us when the server's host answers "nothing listens on that
    // port", where an unconnected socket would wait for the timeout.
    client_socket.connect(server_address).map_err(|e| {
        Error::new(format!("cannot send to {server_address}: {e}"))
    })?;
    // UDP never tells us a datagram was lost: without a time limit, a lost
    // request or reply would leave us waiting in recv forever.
    client_socket.set_read_timeout(Some(args.timeout))?;
    // ANCHOR_END: socket

    // ANCHOR: message
    // A sentence given as an argument is sent as its bytes, like a typed
    // one, whether or not they are UTF-8.
    let message = match args.sentence {
        Some(sentence) => sentence.into_encoded_bytes(),
        None => common::input("Input lowercase sentence:")?,
    };
    let most = max_payload(server_address);
    if message.len() > most {
        return Err(Error::new(format!(
            "sentence of {} bytes is too long for one UDP datagram (at most \
             {most} bytes)",
            message.len()
        )));
    }
    // ANCHOR_END: message

    // ANCHOR: send
    // clientSocket.sendto(message, (serverName, serverPort)): a datagram
    // always carries its destination; on a connected socket the system
    // writes in the peer's address, so send needs none.
    client_socket
        .send(&message)
        .map_err(|e| no_reply(e, server_address, args.timeout))?;
    debug!("sent {} bytes to {server_address}", message.len());
    // ANCHOR_END: send

    // ANCHOR: receive
    // clientSocket.recvfrom(2048): one datagram is one whole message.
    // recv takes it from the peer only, so its sender is the server. The
    // Python listing reads at most 2048 bytes, but an upper-cased reply
    // can be longer than its request (`ß` becomes `SS`), so we take a
    // buffer big enough for any datagram and never cut the reply.
    let mut buffer = vec![0; MAX_DATAGRAM];
    let length = client_socket
        .recv(&mut buffer)
        .map_err(|e| no_reply(e, server_address, args.timeout))?;
    let modified_message = &buffer[..length];
    debug!("received {length} bytes from {server_address}");
    // ANCHOR_END: receive

    // ANCHOR: print
    // print(modifiedMessage.decode()): the bytes as they came, then a
    // newline.
    let mut stdout = io::stdout().lock();
    stdout.write_all(modified_message)?;
    stdout.write_all(b"\n")?;
    stdout.flush()?;

    // clientSocket.close(): the socket is closed when it goes out of scope.
    Ok(())
}
// ANCHOR_END: print

// ANCHOR: helpers
/// The most one datagram to `server` can carry: IPv6 has no header
/// within its 65,535-byte length field, IPv4 has 20 bytes there.
fn max_payload(server: SocketAddr) -> usize {
    if server.is_ipv4() {
        MAX_IPV4_DATAGRAM
    } else {
        MAX_DATAGRAM
    }
}

/// Explains a `send` or `recv` that gave no reply.
fn no_reply(error: io::Error, server: SocketAddr, wait: Duration) -> Error {
    match error.kind() {
        // The server's host answered our datagram with an ICMP "port
        // unreachable"; the system reports it on the connected socket.
        io::ErrorKind::ConnectionRefused => Error::new(format!(
            "no server at {} port {}: the system answered that nothing \
             listens there (is the server running, on this port?)",
            server.ip(),
            server.port()
        )),
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
// ANCHOR_END: helpers
