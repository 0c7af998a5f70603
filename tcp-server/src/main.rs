//! The TCP server of the lecture (`docs/python/tcp_server.py`), in Rust.
//!
//! It serves one connection at a time: accept it, read one sentence, send it
//! back in upper case, close it, and wait for the next. Start it first, then
//! the client in another terminal:
//!
//! ```text
//! cargo run -p tcp-server        # terminal 1
//! cargo run -p tcp-client        # terminal 2
//! ```

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use clap::Parser;
use common::{BACKLOG, Error, ServerAddress, TCP_BUFFER_SIZE};
use socket2::{Domain, Socket, Type};
use tracing::{debug, info, warn};

#[derive(Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    address: ServerAddress,

    /// Bytes read from each connection; the rest is read and dropped
    #[arg(long, default_value_t = TCP_BUFFER_SIZE,
          value_parser = common::parse_buffer_size)]
    buffer_size: usize,
}

fn main() -> Result<(), Error> {
    let args = Args::parse();
    common::init_logging();

    // serverSocket = socket(AF_INET, SOCK_STREAM): the welcoming socket.
    // It never carries a sentence; it only waits for new connections.
    let address = args.address.resolve()?;
    let server_socket =
        Socket::new(Domain::for_address(address), Type::STREAM, None)?;
    // Each connection we close waits about a minute in TIME_WAIT; without
    // SO_REUSEADDR a restarted server could not bind the port until then.
    // (Rust's TcpListener::bind sets it too; Python does not.)
    server_socket.set_reuse_address(true)?;

    // serverSocket.bind(('', serverPort))
    server_socket
        .bind(&address.into())
        .map_err(|e| Error::bind(address, e))?;

    // serverSocket.listen(1): from now on the system completes handshakes
    // for us. The backlog bounds the queue of connections that are
    // established but not yet accepted (Linux allows one more than asked);
    // it does not limit how many clients are served in all.
    server_socket.listen(BACKLOG)?;
    let server_socket = TcpListener::from(server_socket);
    info!("listening on {}", server_socket.local_addr()?);
    println!("The server is ready to receive");

    let mut buffer = vec![0; args.buffer_size];
    loop {
        // accept: take the next established connection off the queue. It
        // comes as a new socket, the connection socket, used only for this
        // client; the welcoming socket stays open for the next.
        let (connection_socket, address) = match server_socket.accept() {
            Ok(accepted) => accepted,
            Err(error) => {
                warn!("accept failed: {error}");
                continue;
            }
        };
        debug!("{address}: connection accepted");
        // One client at a time: the next is accepted only when this one is
        // done. A failure ends this connection, never the server.
        if let Err(error) = serve(connection_socket, address, &mut buffer) {
            warn!("{address}: {error}");
        }
    }
}

/// One exchange on a connection socket, then its close.
fn serve(
    mut connection_socket: TcpStream,
    address: SocketAddr,
    buffer: &mut [u8],
) -> io::Result<()> {
    // sentence = connectionSocket.recv(1024): one read, as in the listing.
    // It returns what has arrived so far, up to the buffer size; 0 means
    // the client closed without sending anything.
    let length = connection_socket.read(buffer)?;
    let sentence = &buffer[..length];
    debug!("{address}: received {length} bytes");

    // capitalizedSentence = sentence.upper()
    let capitalized_sentence = common::to_upper(sentence);

    // connectionSocket.send(...)
    connection_socket.write_all(&capitalized_sentence)?;
    debug!("{address}: sent {} bytes back", capitalized_sentence.len());

    // connectionSocket.close(): dropping the socket at the end of this
    // function closes it. But closing a socket with unread input makes the
    // system reset the connection (RST), and the client may lose the reply.
    // When the buffer was filled there may be more input, so first send our
    // FIN (the reply is complete), then read and drop the rest until the
    // client closes too.
    if length == buffer.len() {
        connection_socket.shutdown(Shutdown::Write)?;
        let dropped = discard_input(&mut connection_socket)?;
        if dropped > 0 {
            warn!(
                "{address}: input cut: read the first {length} bytes, \
                 dropped {dropped} more"
            );
        }
    }
    Ok(())
}

/// How long a client that sent more than the buffer gets to close.
const DISCARD_TIME: Duration = Duration::from_secs(1);

/// Reads and drops what the client still sends, until it closes or
/// [`DISCARD_TIME`] is up. Returns how many bytes were dropped.
fn discard_input(connection_socket: &mut TcpStream) -> io::Result<u64> {
    let deadline = Instant::now() + DISCARD_TIME;
    let mut scratch = [0; 4096];
    let mut dropped = 0;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        if left.is_zero() {
            break;
        }
        connection_socket.set_read_timeout(Some(left))?;
        match connection_socket.read(&mut scratch) {
            Ok(0) => break,
            Ok(n) => dropped += n as u64,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::TimedOut => break,
            Err(e) => return Err(e),
        }
    }
    Ok(dropped)
}
