//! A solution of the `web-server` exercise (the textbook's first lab),
//! std only: answers an HTTP GET with a file of the folder it runs in,
//! and a 404 page for a file it does not have; one request per
//! connection, one connection at a time. `cargo run -p lab --example
//! web_server -- HOST PORT` (default `0.0.0.0 12000`) in a folder with a
//! page.html, then open http://localhost:12000/page.html.
use std::env::args;
use std::fs;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 0.0.0.0 is Python's '': every IPv4 address of this machine
    let server_name = args().nth(1).unwrap_or("0.0.0.0".into());
    let server_port: u16 = args().nth(2).unwrap_or("12000".into()).parse()?;
    let server_socket = TcpListener::bind((server_name.as_str(), server_port))?;
    println!("Ready to serve on port {server_port}");
    for connection_socket in server_socket.incoming() {
        // A client that resets or never finishes its request ends its
        // connection, not the server.
        if let Err(error) = connection_socket.and_then(serve) {
            eprintln!("connection ended: {error}");
        }
    }
    Ok(())
}

/// Reads one request, answers it with a file or a 404 page, and closes.
fn serve(mut connection_socket: TcpStream) -> io::Result<()> {
    connection_socket.set_read_timeout(Some(Duration::from_secs(10)))?;
    // The request may come in pieces: read until the empty line that
    // ends its header (at most 64 KiB of it).
    let mut request = Vec::new();
    let mut buffer = [0; 1024];
    while !request.windows(4).any(|four| four == b"\r\n\r\n") {
        let length = connection_socket.read(&mut buffer)?;
        if length == 0 || request.len() > 65536 {
            break;
        }
        request.extend_from_slice(&buffer[..length]);
    }
    // The first line: GET /page.html HTTP/1.1
    let request = String::from_utf8_lossy(&request);
    let path = request.split_whitespace().nth(1).unwrap_or("/");
    let name = path.trim_start_matches('/');
    // Only files of this folder: a path with .. in it is not one.
    let file = if name.split('/').any(|part| part == "..") {
        Err(io::ErrorKind::NotFound.into())
    } else {
        fs::read(name) // bytes, as they are: a page, a text, an image
    };
    let (status, body) = match file {
        Ok(contents) => ("200 OK", contents),
        Err(_) => ("404 Not Found", b"<h1>404 Not Found</h1>\n".to_vec()),
    };
    // The status line, one header line, the empty line, the body.
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    connection_socket.write_all(header.as_bytes())?;
    connection_socket.write_all(&body)?;
    Ok(())
} // the connection socket is dropped here: closed
