//! Exercise `web-server`: the textbook's first lab. A TCP server that
//! answers an HTTP GET with a file of the folder it runs in, and a 404
//! page for a file it does not have. Arguments `HOST PORT` (default
//! `0.0.0.0 12000`), as the lecture's programs take them.
//!
//! An answer is a status line, header lines, an empty line, and the
//! file's bytes:
//!
//! ```text
//! HTTP/1.1 200 OK\r\n
//! \r\n
//! <the bytes of the file>
//! ```
//!
//! The setup below is done: write `serve`, then remove the `todo!()`.
//! Check it: `cargo lab check web-server` (it runs this program in a
//! folder it fills with files, and asks for them with its own HTTP
//! client, curl and, if installed, a headless Chromium).
//! The page: docs/en/exercises/web-server.md.
//! Std only, as the lecture listings: `std::net` and `std::fs` have what
//! you need.
use std::env::args;
use std::io;
use std::net::{TcpListener, TcpStream};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server_name = args().nth(1).unwrap_or("0.0.0.0".into());
    let server_port: u16 = args().nth(2).unwrap_or("12000".into()).parse()?;
    let server_socket = TcpListener::bind((server_name.as_str(), server_port))?;
    println!("Ready to serve on port {server_port}");
    for connection_socket in server_socket.incoming() {
        if let Err(error) = connection_socket.and_then(serve) {
            eprintln!("connection ended: {error}");
        }
    }
    Ok(())
}

/// Reads one request and answers it; dropping the socket closes the
/// connection, which tells the browser the file is complete.
fn serve(mut connection_socket: TcpStream) -> io::Result<()> {
    let mut request: Vec<u8> = Vec::new();
    // 1. `use std::io::{Read, Write};` at the top, then read until the
    //    request holds the empty line b"\r\n\r\n" (it may come in pieces)
    // 2. take NAME from its first line, `GET /NAME HTTP/1.1`
    // 3. std::fs::read(NAME): the file's bytes (never read it as text)
    // 4. found: write_all "HTTP/1.1 200 OK\r\n\r\n", then the bytes;
    //    not found: "HTTP/1.1 404 Not Found\r\n\r\n" and a short page
    let _ = (&mut connection_socket, &mut request);
    todo!("read the request, then answer with the file or a 404")
}
