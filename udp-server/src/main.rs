//! The UDP server of the lecture (`docs/python/udp_server.py`), in Rust.
//!
//! It answers every datagram with the same text in upper case, forever.
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

use std::net::UdpSocket;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Parser;
use common::{Error, MAX_DATAGRAM, ServerAddress, UDP_BUFFER_SIZE};
use tracing::{debug, info, warn};

#[derive(Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    address: ServerAddress,

    /// Bytes of each datagram that are read; the rest is cut, as in Python
    #[arg(long, default_value_t = UDP_BUFFER_SIZE,
          value_parser = common::parse_buffer_size)]
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
    info!("listening on {}", server_socket.local_addr()?);
    println!("The server is ready to receive");

    // --drop-rate: UDP itself never resends or reports a lost datagram, so
    // on loopback, where nothing is lost, we play the lossy network
    // ourselves, as the textbook's UDP pinger lab server does with
    // `if random.randint(0, 10) < 4: continue`. The same seed gives the
    // same losses, so a run can be repeated.
    let seed = args.seed.unwrap_or_else(seed_from_clock);
    let mut random = fastrand::Rng::with_seed(seed);
    if args.drop_rate > 0.0 {
        info!(
            "dropping a share of {} of the datagrams (seed {seed})",
            args.drop_rate
        );
    }

    // Python's recvfrom(2048) lets the system drop the part of a datagram
    // past 2048 bytes, silently. We receive into a buffer that holds any
    // datagram, so we can say how much was cut, and then use only the
    // first --buffer-size bytes, as Python does.
    let mut buffer = vec![0; MAX_DATAGRAM];
    loop {
        // recvfrom: wait for the next datagram from any client. Its source
        // address is the only way to know where to send the reply.
        let (length, client_address) =
            match server_socket.recv_from(&mut buffer) {
                Ok(received) => received,
                Err(error) => {
                    warn!("recv_from failed: {error}");
                    continue;
                }
            };
        // Lost on the way, as far as the client can tell: no reply, no
        // error. At the default 0, no random number is even drawn.
        if args.drop_rate > 0.0 && random.f64() < args.drop_rate {
            debug!("{client_address}: datagram dropped (--drop-rate)");
            continue;
        }
        let message = &buffer[..length.min(args.buffer_size)];
        if length > message.len() {
            warn!(
                "{client_address}: datagram of {length} bytes cut to the \
                 first {}: {} bytes dropped",
                message.len(),
                length - message.len()
            );
        }
        debug!("{client_address}: received {} bytes", message.len());

        // message.decode().upper(): bytes that are not UTF-8 pass through
        // unchanged, where Python would crash.
        let modified_message = common::to_upper(message);

        // sendto: no connection to answer on, so the reply names the
        // client's address.
        match server_socket.send_to(&modified_message, client_address) {
            Ok(sent) => debug!("{client_address}: sent {sent} bytes back"),
            Err(error) => warn!("{client_address}: send_to failed: {error}"),
        }
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

#[cfg(test)]
mod tests {
    use super::parse_drop_rate;

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
