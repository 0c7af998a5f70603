// ANCHOR: header
//! The UDP server of the lecture (`docs/python/udp_server.py`), in Rust.
//!
//! It answers every client's datagram with the same text in upper case,
//! forever.
//! Start it first, then the client in another terminal:
//!
//! ```text
//! cargo run -p udp-server        # terminal 1
//! cargo run -p udp-client        # terminal 2
//! ```
//!
//! Going further (not in the listing): `--drop-rate 0.3` ignores about 30%
//! of the datagrams, as if the network had lost them, to watch what UDP
//! does about loss (nothing); `--seed N` loses the same ones on every run.

use std::io::{self, Write};
use std::net::{SocketAddr, UdpSocket};
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Parser;
use common::{
    Error, MAX_DATAGRAM, MAX_IPV4_DATAGRAM, RateLimit, ServerAddress,
    UDP_BUFFER_SIZE,
};
use tracing::{debug, info, warn};

/// The largest --buffer-size whose reply always fits in one datagram: upper
/// case makes a text at most 3 times as long (`ΐ`, 2 bytes, becomes 6).
const MAX_BUFFER_SIZE: usize = MAX_IPV4_DATAGRAM / 3;
// ANCHOR_END: header

// ANCHOR: args
#[derive(Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    address: ServerAddress,

    /// Bytes of each datagram that are read; the rest is cut, as in Python
    #[arg(long, default_value_t = UDP_BUFFER_SIZE,
          value_parser = parse_buffer_size)]
    buffer_size: usize,

    /// Share of the datagrams to ignore, from 0 (none) to 1 (all), as if
    /// the network had lost them
    #[arg(long, value_name = "P", default_value_t = 0.0,
          value_parser = parse_drop_rate, allow_negative_numbers = true)]
    drop_rate: f64,

    /// Seed for --drop-rate, to lose the same datagrams on every run
    /// (default: taken from the clock, and logged)
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
}
// ANCHOR_END: args

// ANCHOR: bind
fn main() -> Result<(), Error> {
    let args = Args::parse();
    common::init_logging();

    // serverSocket = socket(AF_INET, SOCK_DGRAM)
    // serverSocket.bind(('', serverPort))
    // Binding claims the port: from now on the system hands every datagram
    // sent to it to this socket.
    let address = args.address.resolve()?;
    let server_socket =
        UdpSocket::bind(address).map_err(|e| Error::bind_udp(address, e))?;
    let own_address = server_socket.local_addr()?;
    info!("listening on {own_address}");
    // print(...). Nobody may be reading (`udp-server | head -c0`), and
    // println! would panic then: the server serves whether or not its
    // output is read.
    if let Err(error) = writeln!(io::stdout(), "The server is ready to receive")
    {
        warn!("cannot print the ready line: {error}; serving anyway");
    }
    // ANCHOR_END: bind

    // ANCHOR: drop_rate
    // --drop-rate: UDP itself never resends or reports a lost datagram, so
    // on loopback, where nothing is lost, we play the lossy network
    // ourselves, as the textbook's UDP pinger lab server does with
    // `if random.randint(0, 10) < 4: continue`. The same seed gives the
    // same losses, so a run can be repeated.
    let seed = args.seed.unwrap_or_else(seed_from_clock);
    let mut random = fastrand::Rng::with_seed(seed);
    if args.drop_rate > 0.0 {
        // {:?}: 1e-320 stays 1e-320, not 0.000... over 300 digits.
        info!(
            "dropping a share of {:?} of the datagrams (seed {seed})",
            args.drop_rate
        );
    }
    // ANCHOR_END: drop_rate

    // ANCHOR: receive
    // Python's recvfrom(2048) lets the system drop the part of a datagram
    // past 2048 bytes, silently. We receive into a buffer that holds any
    // datagram, so we can say how much was cut, and then use only the
    // first --buffer-size bytes, as Python does.
    let mut buffer = vec![0; MAX_DATAGRAM];
    // Anyone can send a flood of bad datagrams: at most one warning a
    // second of each kind, so the log cannot flood the disk.
    let mut failed_receive = RateLimit::per_second();
    let mut refused = RateLimit::per_second();
    let mut cut = RateLimit::per_second();
    let mut failed_send = RateLimit::per_second();
    loop {
        // recvfrom: wait for the next datagram from any client. Its source
        // address is the only way to know where to send the reply.
        let (length, client_address) =
            match server_socket.recv_from(&mut buffer) {
                Ok(received) => received,
                Err(error) => {
                    if let Some(held_back) = failed_receive.check() {
                        warn!("recv_from failed: {error}{held_back}");
                    }
                    continue;
                }
            };
        // ANCHOR_END: receive
        // ANCHOR: refuse
        // The source address is whatever the datagram says, and a reply
        // goes there. A reply to another echo service (or to ourselves)
        // would be answered, and answered again, forever: refuse the
        // sources that no client sends from.
        if let Some(reason) = refusal(client_address, own_address.port()) {
            if let Some(held_back) = refused.check() {
                warn!(
                    "{client_address}: not answered: it comes from port {}, \
                     {reason}{held_back}",
                    client_address.port()
                );
            }
            continue;
        }
        // ANCHOR_END: refuse
        // ANCHOR: cut
        // Lost on the way, as far as the client can tell: no reply, no
        // error. At the default 0, no random number is even drawn.
        if args.drop_rate > 0.0 && random.f64() < args.drop_rate {
            debug!("{client_address}: datagram dropped (--drop-rate)");
            continue;
        }
        let message = &buffer[..length.min(args.buffer_size)];
        if length > message.len() {
            if let Some(held_back) = cut.check() {
                warn!(
                    "{client_address}: datagram of {length} bytes cut to the \
                     first {}: {} bytes dropped{held_back}",
                    message.len(),
                    length - message.len()
                );
            }
        }
        debug!("{client_address}: received {} bytes", message.len());
        // ANCHOR_END: cut

        // ANCHOR: reply
        // message.decode().upper(): bytes that are not UTF-8 pass through
        // unchanged, where Python would crash.
        let modified_message = common::to_upper(message);

        // sendto: no connection to answer on, so the reply names the
        // client's address.
        match server_socket.send_to(&modified_message, client_address) {
            Ok(sent) => debug!("{client_address}: sent {sent} bytes back"),
            Err(error) => {
                if let Some(held_back) = failed_send.check() {
                    warn!(
                        "{client_address}: reply of {} bytes not sent: \
                         {error}{held_back}",
                        modified_message.len()
                    );
                }
            }
        }
    }
}
// ANCHOR_END: reply

// ANCHOR: refusal
/// Why a datagram from `source` must not be answered, if it must not.
fn refusal(source: SocketAddr, own_port: u16) -> Option<&'static str> {
    match source.port() {
        0 => Some("where nothing can receive a reply"),
        port if port == own_port => Some(
            "this server's own port; an answer could start an endless loop \
             of replies with itself or a server like it",
        ),
        // Clients send from ports the system picks, above 1023. Below are
        // the services, some of which answer anything: echo (7) sends it
        // back, chargen (19) sends characters.
        1..1024 => Some(
            "a system service's port (below 1024), not a client's; an \
             answer could start an endless loop of replies",
        ),
        _ => None,
    }
}
// ANCHOR_END: refusal

// ANCHOR: parse
/// Parses --buffer-size: at least 1 byte, and few enough that the reply
/// fits in one datagram.
fn parse_buffer_size(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(size) if size > MAX_BUFFER_SIZE => Err(format!(
            "{size} is too big: a reply can be 3 times as long as its \
             request (\"ΐ\", 2 bytes, is 6 in upper case), and the longest \
             reply must fit in one UDP datagram ({MAX_IPV4_DATAGRAM} bytes): \
             give 1 to {MAX_BUFFER_SIZE} bytes"
        )),
        _ => common::parse_buffer_size(text),
    }
}

/// Parses --drop-rate: a share from 0 to 1.
fn parse_drop_rate(text: &str) -> Result<f64, String> {
    let rate: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    // NaN is in no range, so it is refused too.
    if !(0.0..=1.0).contains(&rate) {
        return Err(format!("{text} is out of range: give 0 to 1"));
    }
    Ok(rate)
}

/// A seed that differs from run to run: the clock, in nanoseconds.
fn seed_from_clock() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos() as u64)
}
// ANCHOR_END: parse

// ANCHOR: tests
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_that_no_client_sends_from_are_refused() {
        let from = |port| SocketAddr::from(([127, 0, 0, 1], port));
        for port in [0, 1, 7, 19, 1023, 12000] {
            assert!(refusal(from(port), 12000).is_some(), "{port}");
        }
        for port in [1024, 12001, 40000, 65535] {
            assert_eq!(refusal(from(port), 12000), None, "{port}");
        }
        assert!(refusal(from(0), 12000).unwrap().contains("nothing"));
        assert!(refusal(from(12000), 12000).unwrap().contains("own port"));
        assert!(refusal(from(7), 12000).unwrap().contains("service"));
    }

    #[test]
    fn buffer_sizes_whose_reply_fits_in_a_datagram() {
        assert_eq!(MAX_BUFFER_SIZE, 21835);
        assert_eq!(parse_buffer_size("2048"), Ok(2048));
        assert_eq!(parse_buffer_size("21835"), Ok(21835));
        for big in ["21836", "65507", "100000"] {
            let message = parse_buffer_size(big).unwrap_err();
            assert!(message.contains("give 1 to 21835 bytes"), "{message}");
        }
        for bad in ["0", "-1", "big"] {
            assert!(parse_buffer_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn drop_rates() {
        assert_eq!(parse_drop_rate("0"), Ok(0.0));
        assert_eq!(parse_drop_rate("0.3"), Ok(0.3));
        assert_eq!(parse_drop_rate("1"), Ok(1.0));
        for bad in ["-0.1", "1.01", "NaN", "inf", "30%", ""] {
            assert!(parse_drop_rate(bad).is_err(), "{bad}");
        }
    }
}
// ANCHOR_END: tests
