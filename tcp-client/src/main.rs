//! The TCP client of the lecture (`docs/python/tcp_client.py`), in Rust.
//!
//! It connects to the server, sends one sentence over the connection and
//! prints the reply. Start the server first, then the client:
//!
//! ```text
//! cargo run -p tcp-server        # terminal 1
//! cargo run -p tcp-client        # terminal 2
//! ```

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};

use clap::Parser;
use common::{ClientAddress, Error};
use tracing::debug;

#[derive(Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ClientAddress,

    /// Sentence to send; without it, the client asks for one
    sentence: Option<String>,
}

fn main() -> Result<(), Error> {
    let args = Args::parse();
    common::init_logging();

    // serverName, serverPort
    let addresses = args.server.resolve()?;

    // clientSocket = socket(AF_INET, SOCK_STREAM)
    // clientSocket.connect((serverName, serverPort))
    // connect runs TCP's 3-way handshake (SYN, SYN-ACK, ACK). When it
    // returns, the server's system has accepted the connection for us, even
    // before its program calls accept. Each address is tried in turn.
    let mut client_socket = TcpStream::connect(&addresses[..])
        .map_err(|e| Error::connect(&args.server.host, args.server.port, e))?;
    debug!("connected to {}", client_socket.peer_addr()?);

    // Only now, with the connection up, do we ask for the sentence.
    let sentence = match args.sentence {
        Some(sentence) => sentence.into_bytes(),
        None => common::input("Input lowercase sentence:")?,
    };

    // send: the connection knows where the bytes go, so no address here.
    // write_all keeps writing until every byte is handed to the system
    // (Python's send may send only part).
    client_socket.write_all(&sentence)?;
    debug!("sent {} bytes", sentence.len());
    // Not in the listing: half-close our side (FIN) to say the sentence is
    // complete. An empty sentence sends no byte at all; without this, the
    // server would wait for one and we for the reply, both forever, as the
    // Python pair does.
    client_socket.shutdown(Shutdown::Write)?;

    // recv(1024): TCP is a byte stream with no message boundaries, so one
    // read may return only part of the reply, and the reply can be longer
    // than 1024 bytes. The server closes the connection after replying, so
    // we read until that close: then we have the whole reply.
    let mut modified_sentence = Vec::new();
    client_socket.read_to_end(&mut modified_sentence)?;
    debug!("received {} bytes", modified_sentence.len());

    // print('From Server: ', modifiedSentence.decode()): Python's print
    // puts a space between its two arguments.
    let mut stdout = io::stdout().lock();
    stdout.write_all(b"From Server:  ")?;
    stdout.write_all(&modified_sentence)?;
    stdout.write_all(b"\n")?;
    stdout.flush()?;

    // clientSocket.close(): dropping the socket closes the connection.
    Ok(())
}
