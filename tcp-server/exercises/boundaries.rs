//! Exercise `boundaries`: the lecture's TCP server, made to answer the
//! whole line however it arrives. TCP delivers a stream of bytes, not
//! messages: a line sent at once may come in pieces, and one `read` (the
//! lecture's `recv(1024)`) returns only what has come so far.
//!
//! The protocol: the client sends one line ending in `\n`; the server
//! answers that line in upper case, its `\n` kept, and closes the
//! connection. If the client closes its sending side before any `\n`,
//! what came is the line. Arguments `HOST PORT` (default `0.0.0.0
//! 12000`), as the lecture's programs take them.
//!
//! The setup below is done: write `serve`, then remove the `todo!()`.
//! Check it: `cargo lab check boundaries`.
//! The page: docs/en/exercises/boundaries.md.
//! Std only, as the lecture listings: `std::net` has what you need.
use std::env::args;
use std::io;
use std::net::{TcpListener, TcpStream};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server_name = args().nth(1).unwrap_or("0.0.0.0".into());
    let server_port: u16 = args().nth(2).unwrap_or("12000".into()).parse()?;
    let server_socket = TcpListener::bind((server_name.as_str(), server_port))?;
    println!("The server is ready to receive");
    for connection_socket in server_socket.incoming() {
        if let Err(error) = connection_socket.and_then(serve) {
            eprintln!("connection ended: {error}");
        }
    }
    Ok(())
}

/// Reads one line from the client, however many pieces it comes in, and
/// answers it in upper case; dropping the socket closes the connection.
fn serve(mut connection_socket: TcpStream) -> io::Result<()> {
    let mut line: Vec<u8> = Vec::new();
    let mut buffer = [0; 1024];
    // 1. `use std::io::{Read, Write};` at the top, then read into `buffer`
    //    and add what came to `line`, again and again, until `line` holds
    //    a b'\n' (or read returns 0: the client closed its side)
    // 2. decode the whole line (String::from_utf8_lossy), not each piece:
    //    a piece may end inside a character
    // 3. write_all the line in upper case (to_uppercase)
    let _ = (&mut connection_socket, &mut line, &mut buffer);
    todo!("read the whole line, then answer it")
}
