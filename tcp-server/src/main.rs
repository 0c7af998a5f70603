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
//!
//! Going further (not in the listing): `--concurrent` serves each
//! connection on its own thread, so one slow client no longer holds up the
//! others; `--read-timeout SECONDS` closes a connection that sends nothing
//! for that long.

use std::io::ErrorKind::{TimedOut, WouldBlock};
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::thread;
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

    /// Serve each connection on its own thread, so that a slow client does
    /// not hold up the others
    #[arg(long)]
    concurrent: bool,

    /// Close a connection that sends nothing for this long (default: wait
    /// forever, as Python does)
    #[arg(long, value_name = "SECONDS", value_parser = common::parse_seconds)]
    read_timeout: Option<Duration>,
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
        .map_err(|e| Error::bind_tcp(address, e))?;

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
        let read_timeout = args.read_timeout;
        if !args.concurrent {
            // One client at a time, as in the listing: the next is accepted
            // only when this one is done. serve waits in read until this
            // client sends, so a client that is slow to send (or never
            // does) holds up everyone behind it: their connections are
            // established by the system, but wait in the backlog queue,
            // unaccepted and unread. A failure ends this connection, never
            // the server.
            if let Err(error) =
                serve(connection_socket, address, &mut buffer, read_timeout)
            {
                warn!("{address}: {error}");
            }
        } else {
            // --concurrent: only the serving of this connection moves to a
            // new thread, with a buffer of its own, and the loop goes
            // straight back to accept. A slow client now holds up only its
            // own thread. The backlog of listen(1) still bounds only the
            // queue of connections not yet accepted; as they are accepted
            // at once, any number are served at the same time. (A burst of
            // connections faster than accept can still fill that queue:
            // the system then ignores the extra SYNs, and those clients
            // retry a second later.) Each connection costs a thread while
            // it is open, and a client that never sends keeps its thread:
            // --read-timeout ends that.
            let spawned = thread::Builder::new().spawn(move || {
                let mut buffer = vec![0; args.buffer_size];
                if let Err(error) =
                    serve(connection_socket, address, &mut buffer, read_timeout)
                {
                    warn!("{address}: {error}");
                }
            });
            // thread::spawn would panic if the system refused a thread;
            // the Builder returns the error, which ends this connection
            // (its socket went with the closure), not the server.
            if let Err(error) = spawned {
                warn!("{address}: no thread to serve it: {error}");
            }
        }
    }
}

/// One exchange on a connection socket, then its close.
fn serve(
    mut connection_socket: TcpStream,
    address: SocketAddr,
    buffer: &mut [u8],
    read_timeout: Option<Duration>,
) -> io::Result<()> {
    // sentence = connectionSocket.recv(1024): one read, as in the listing.
    // It waits until something arrives, then returns what has arrived so
    // far, up to the buffer size; 0 means the client closed without sending
    // anything. Python's recv waits forever; --read-timeout bounds the wait.
    connection_socket.set_read_timeout(read_timeout)?;
    let length = match connection_socket.read(buffer) {
        Ok(length) => length,
        // The time is up (Linux reports WouldBlock, Windows TimedOut).
        // Returning drops the socket, which closes the connection.
        Err(e) if matches!(e.kind(), WouldBlock | TimedOut) => {
            let seconds = read_timeout.unwrap_or_default().as_secs_f64();
            warn!(
                "{address}: nothing received for {seconds} s \
                 (--read-timeout): connection closed"
            );
            return Ok(());
        }
        Err(e) => return Err(e),
    };
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
