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
use std::time::{Duration, Instant};

use clap::Parser;
use common::{Bounded, ClientAddress, Error};
use tracing::{debug, warn};
// ANCHOR_END: header

// ANCHOR: args
#[derive(Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ClientAddress,

    /// How long to wait for the connection; then the most the whole
    /// exchange may take, sending and receiving, counted from the moment
    /// the sentence comes in (your typing is not counted)
    #[arg(long, value_name = "SECONDS", default_value = "60",
          value_parser = common::parse_seconds)]
    timeout: Duration,

    /// The longest reply to print, in bytes; past it, the client stops.
    /// The default, 64 MiB, is far more than the lecture's servers send
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 20,
          value_parser = clap::value_parser!(u64).range(1..))]
    max_reply: u64,

    /// Sentence to send; without it, the client asks for one
    sentence: Option<OsString>,
}
// ANCHOR_END: args

// ANCHOR: connect
fn main() -> Result<(), Error> {
    let mut args = Args::parse();
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
    let client_socket = connect(&addresses, timeout)
        .map_err(|e| Error::connect(host, port, e, timeout))?;
    debug!("connected to {}", client_socket.peer_addr()?);
    // ANCHOR_END: connect

    // ANCHOR: send
    // Only now, with the connection up, do we ask for the sentence. An
    // argument is sent as the bytes it is, UTF-8 or not, as typed input is.
    // Typed (or piped) input comes a piece at a time, each piece sent
    // before the next is read: a sentence of any length needs only this
    // buffer, not the memory to hold it whole.
    let argument = args.sentence.take().map(OsString::into_encoded_bytes);
    let mut sentence: Box<dyn Read> = match &argument {
        Some(bytes) => Box::new(bytes.as_slice()),
        None => Box::new(common::input_stream("Input lowercase sentence:")?),
    };
    let mut buffer = vec![0; 64 * 1024];
    let mut length = read_sentence(&mut sentence, &mut buffer)?;

    // The sentence is there: from now on the whole exchange, sending and
    // receiving, must end by one deadline. Each read and write gets only
    // the time left (a timeout for each read alone would start again with
    // every byte of a server that sends one byte a second), so a server
    // that takes or sends bytes slowly, or sends without end, cannot hold
    // us past it. `Bounded` (in common, shared with tcp-server) sets the
    // socket's time limit to the time left before each call.
    let mut connection = Bounded::new(&client_socket, Instant::now() + timeout);

    // send: the connection knows where the bytes go, so no address here.
    // write_all keeps writing until every byte is handed to the system
    // (Python's send may send only part).
    let mut sent = 0;
    let mut reset = None;
    while length > 0 {
        match connection.write_all(&buffer[..length]) {
            Ok(()) => sent += length,
            // The server has reset the connection (it read part of the
            // sentence and closed), but what it sent before is still
            // ours to read: stop sending and read on.
            Err(error) if is_reset(&error) => {
                reset = Some(error);
                break;
            }
            Err(error) => return Err(cannot_send(&error, &args)),
        }
        length = read_sentence(&mut sentence, &mut buffer)?;
    }
    debug!("sent {sent} bytes");
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
    // any length needs only this buffer. The deadline still holds, and at
    // most --max-reply bytes are printed, so a server that sends without
    // end cannot fill the disk our output goes to.
    let mut received = 0;
    // print('From Server: ', modifiedSentence.decode()): Python's print
    // puts a space between its two arguments.
    let mut stdout = io::stdout().lock();
    let mut too_long = false;
    let failure = loop {
        // Read one byte more than --max-reply allows, no more: enough to
        // tell a reply of exactly that length from a longer one.
        let allowed = args.max_reply - received;
        let room = allowed.saturating_add(1).min(buffer.len() as u64);
        match connection.read(&mut buffer[..room as usize]) {
            // The server's close, or the reset that stopped our sending.
            Ok(0) => break reset,
            Ok(length) => {
                let kept = (length as u64).min(allowed);
                if received == 0 {
                    stdout.write_all(b"From Server:  ")?;
                }
                stdout.write_all(&buffer[..kept as usize])?;
                stdout.flush()?;
                received += kept;
                if kept < length as u64 {
                    too_long = true;
                    break None;
                }
            }
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) => break Some(error),
        }
    };
    // ANCHOR_END: receive
    // ANCHOR: finish
    // Nothing came: the exchange failed. Otherwise print what came, as
    // the Python client would, and end its line. Then, if the server did
    // not end the reply with its close, say why: an error (exit 1) if one
    // of our limits cut it, a warning if the server ended it early (what
    // came may be all of it).
    let why = if too_long {
        Some(format!(
            "the reply is cut after {received} bytes: it is longer than \
             --max-reply {}; raise --max-reply for a longer reply",
            args.max_reply
        ))
    } else {
        failure
            .as_ref()
            .map(|error| explain(error, received, &args))
    };
    let our_limit = too_long || failure.as_ref().is_some_and(timed_out);
    if received == 0 {
        if let Some(why) = why {
            return Err(Error::new(why));
        }
        stdout.write_all(b"From Server:  ")?;
    }
    stdout.write_all(b"\n")?;
    stdout.flush()?;
    debug!("received {received} bytes");

    // clientSocket.close(): dropping the socket, however we return, closes
    // the connection.
    match why {
        Some(why) if our_limit => Err(Error::new(why)),
        Some(why) => {
            warn!("{why}");
            Ok(())
        }
        None => Ok(()),
    }
}
// ANCHOR_END: finish

// ANCHOR: sentence_fn
/// The next piece of the sentence into `buffer`; 0 once it is all read.
fn read_sentence(
    sentence: &mut impl Read,
    buffer: &mut [u8],
) -> Result<usize, Error> {
    loop {
        match sentence.read(buffer) {
            Ok(length) => return Ok(length),
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            // Standard input ended before a line: Python's EOFError.
            Err(error) if error.kind() == ErrorKind::UnexpectedEof => {
                return Err(error.into());
            }
            Err(error) => {
                return Err(Error::new(format!(
                    "cannot read the sentence from standard input: {error}"
                )));
            }
        }
    }
}
// ANCHOR_END: sentence_fn

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

/// A wait that ran out: the deadline, or a socket timeout (Linux reports
/// WouldBlock, Windows TimedOut).
fn timed_out(error: &io::Error) -> bool {
    matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// One line on why the sentence could not be sent.
fn cannot_send(error: &io::Error, args: &Args) -> Error {
    let (host, port) = (&args.server.host, args.server.port);
    if timed_out(error) {
        return Error::new(format!(
            "the sentence was not sent within {} s (--timeout): {host} port \
             {port} is not taking it in time (the server may be stuck, busy \
             with another client, or slow to read); try again, or raise \
             --timeout",
            args.timeout.as_secs_f64()
        ));
    }
    Error::new(format!(
        "cannot send the sentence to {host} port {port}: {error}"
    ))
}

/// One line on why the reply ended in `error` after `received` bytes.
fn explain(error: &io::Error, received: u64, args: &Args) -> String {
    let (host, port) = (&args.server.host, args.server.port);
    let seconds = args.timeout.as_secs_f64();
    match (received, timed_out(error), is_reset(error)) {
        (0, true, _) => format!(
            "no reply from {host} port {port} within {seconds} s \
             (--timeout): the server may be busy with another client, or \
             stuck; try again, or raise --timeout"
        ),
        (n, true, _) => format!(
            "the reply is cut after {n} bytes: it did not end within \
             {seconds} s (--timeout); raise --timeout if the server needs \
             longer"
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
