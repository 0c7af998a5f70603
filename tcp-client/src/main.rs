// ANCHOR: header
//! The TCP client of the lecture (`docs/python/tcp_client.py`), in Rust.
//!
//! It connects to the server, sends one sentence over the connection and
//! prints the reply. Start the server first, then the client:
//!
//! ```text
//! cargo run -p tcp-server        # terminal 1
//! cargo run -p tcp-client        # terminal 2
//! ```

use std::ffi::OsString;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

use clap::Parser;
use common::{ClientAddress, Error};
use tracing::{debug, warn};
// ANCHOR_END: header

// ANCHOR: args
#[derive(Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ClientAddress,

    /// How long to wait for the connection, and then for each part of the
    /// reply (not for your typing)
    #[arg(long, value_name = "SECONDS", default_value = "60",
          value_parser = common::parse_seconds)]
    timeout: Duration,

    /// Sentence to send; without it, the client asks for one
    sentence: Option<OsString>,
}
// ANCHOR_END: args

// ANCHOR: connect
fn main() -> Result<(), Error> {
    let args = Args::parse();
    common::init_logging();
    let (host, port, timeout) =
        (&args.server.host, args.server.port, args.timeout);

    // serverName, serverPort
    let addresses = args.server.resolve()?;

    // clientSocket = socket(AF_INET, SOCK_STREAM)
    // clientSocket.connect((serverName, serverPort))
    // connect runs TCP's 3-way handshake (SYN, SYN-ACK, ACK). When it
    // returns, the server's system has accepted the connection for us, even
    // before its program calls accept. Each address is tried in turn.
    let mut client_socket = connect(&addresses, timeout)
        .map_err(|e| Error::connect(host, port, e, timeout))?;
    debug!("connected to {}", client_socket.peer_addr()?);
    // ANCHOR_END: connect

    // ANCHOR: send
    // Only now, with the connection up, do we ask for the sentence. An
    // argument is sent as the bytes it is, UTF-8 or not, as typed input is.
    let sentence = match args.sentence {
        Some(sentence) => sentence.into_encoded_bytes(),
        None => common::input("Input lowercase sentence:")?,
    };

    // send: the connection knows where the bytes go, so no address here.
    // write_all keeps writing until every byte is handed to the system
    // (Python's send may send only part). A server that reads nothing
    // would hold a long sentence here, so this wait is bounded too.
    client_socket.set_write_timeout(Some(timeout))?;
    client_socket.write_all(&sentence)?;
    debug!("sent {} bytes", sentence.len());
    // Not in the listing: half-close our side (FIN) to say the sentence is
    // complete. An empty sentence sends no byte at all; without this, the
    // server would wait for one and we for the reply, both forever, as the
    // Python pair does. If the server has already reset the connection,
    // this fails, but what it sent before is still ours to read: read on.
    if let Err(error) = client_socket.shutdown(Shutdown::Write) {
        if !is_reset(&error) {
            return Err(error.into());
        }
    }
    // ANCHOR_END: send

    // ANCHOR: receive
    // recv(1024): TCP is a byte stream with no message boundaries, so one
    // read may return only part of the reply, and the reply can be longer
    // than 1024 bytes. The server closes the connection after replying, so
    // we read until that close, printing each part as it comes: a reply of
    // any length needs only this buffer. Each wait is bounded.
    client_socket.set_read_timeout(Some(timeout))?;
    let mut buffer = [0; 64 * 1024];
    let mut received = 0;
    // print('From Server: ', modifiedSentence.decode()): Python's print
    // puts a space between its two arguments.
    let mut stdout = io::stdout().lock();
    let failure = loop {
        match client_socket.read(&mut buffer) {
            Ok(0) => break None,
            Ok(length) => {
                if received == 0 {
                    stdout.write_all(b"From Server:  ")?;
                }
                stdout.write_all(&buffer[..length])?;
                stdout.flush()?;
                received += length;
            }
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) => break Some(error),
        }
    };
    // ANCHOR_END: receive
    // ANCHOR: finish
    // Nothing came: the exchange failed. Otherwise print what came, as
    // the Python client would, end its line, then warn that it may not be
    // all.
    let why =
        failure.map(|error| explain(&error, received, (host, port), timeout));
    if received == 0 {
        if let Some(why) = why {
            return Err(Error::new(why));
        }
        stdout.write_all(b"From Server:  ")?;
    }
    stdout.write_all(b"\n")?;
    stdout.flush()?;
    debug!("received {received} bytes");
    if let Some(why) = why {
        warn!("{why}");
    }

    // clientSocket.close(): dropping the socket closes the connection.
    Ok(())
}
// ANCHOR_END: finish

// ANCHOR: connect_fn
/// Connects to the first address that answers, giving each `timeout`:
/// without a bound, a server whose backlog is full (the system drops our
/// SYNs) would keep us waiting for minutes.
fn connect(
    addresses: &[SocketAddr],
    timeout: Duration,
) -> io::Result<TcpStream> {
    let mut last_error = io::Error::new(ErrorKind::NotFound, "no address");
    for address in addresses {
        match TcpStream::connect_timeout(address, timeout) {
            Ok(stream) => return Ok(stream),
            Err(error) => last_error = error,
        }
    }
    Err(last_error)
}
// ANCHOR_END: connect_fn

// ANCHOR: explain
/// Did the server reset the connection (RST)? A server that closes with
/// part of our sentence unread does that, right after its reply.
fn is_reset(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::ConnectionReset
            | ErrorKind::NotConnected
            | ErrorKind::BrokenPipe
    )
}

/// One line on why the reply ended in `error` after `received` bytes:
/// an error if nothing came, a warning that the reply may be incomplete.
fn explain(
    error: &io::Error,
    received: usize,
    (host, port): (&str, u16),
    timeout: Duration,
) -> String {
    let seconds = timeout.as_secs_f64();
    // A read timeout: Linux reports WouldBlock, Windows TimedOut.
    let timed_out =
        matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut);
    match (received, timed_out, is_reset(error)) {
        (0, true, _) => format!(
            "no reply from {host} port {port} within {seconds} s after \
             sending: the server may be busy with another client, or stuck; \
             try again, or raise --timeout"
        ),
        (n, true, _) => format!(
            "the reply stopped after {n} bytes: nothing more from {host} \
             port {port} within {seconds} s; it may be incomplete"
        ),
        (0, _, true) => format!(
            "connection reset by {host} port {port} before any reply: the \
             server closed the connection without reading the whole \
             sentence, or was stopped"
        ),
        (n, _, true) => format!(
            "connection reset by the server after {n} bytes; the reply may \
             be incomplete (a server that closes without reading the whole \
             sentence resets the connection)"
        ),
        (0, _, _) => format!("no reply from {host} port {port}: {error}"),
        (n, _, _) => format!(
            "the reply stopped after {n} bytes: {error}; it may be incomplete"
        ),
    }
}
// ANCHOR_END: explain
