//! The UDP server of the lecture (`docs/python/udp_server.py`), in Rust.
//!
//! It answers every datagram with the same text in upper case, forever.
//! Start it first, then the client in another terminal:
//!
//! ```text
//! cargo run -p udp-server        # terminal 1
//! cargo run -p udp-client        # terminal 2
//! ```

use std::net::UdpSocket;

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
        UdpSocket::bind(address).map_err(|e| Error::bind(address, e))?;
    info!("listening on {}", server_socket.local_addr()?);
    println!("The server is ready to receive");

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
