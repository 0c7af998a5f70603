//! A solution of the `boundaries` exercise, std only: the lecture's TCP
//! server, made to read the whole line however it arrives. The client
//! sends one line ending in `\n`; the server answers that line in upper
//! case, its `\n` kept, and closes the connection. A client that closes
//! its sending side before any `\n` (the workspace's `tcp-client`) gets
//! what it sent. `cargo run -p lab --example boundaries -- HOST PORT`.
use std::env::args;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 0.0.0.0 is Python's '': every IPv4 address of this machine
    let server_name = args().nth(1).unwrap_or("0.0.0.0".into());
    let server_port: u16 = args().nth(2).unwrap_or("12000".into()).parse()?;
    let server_socket = TcpListener::bind((server_name.as_str(), server_port))?;
    println!("The server is ready to receive");
    for connection_socket in server_socket.incoming() {
        // One client's trouble (a reset, a line that never ends) ends its
        // connection, not the server.
        if let Err(error) = connection_socket.and_then(serve) {
            eprintln!("connection ended: {error}");
        }
    }
    Ok(())
}

/// Reads one line, answers it in upper case, and closes.
fn serve(mut connection_socket: TcpStream) -> io::Result<()> {
    // A client that never sends its \n is not waited for forever.
    connection_socket.set_read_timeout(Some(Duration::from_secs(10)))?;
    // TCP delivers bytes, not messages: one read returns what has come so
    // far, a piece of the line or all of it. Read until the \n is in.
    let mut line = Vec::new();
    let mut buffer = [0; 1024];
    while !line.contains(&b'\n') {
        let length = connection_socket.read(&mut buffer)?;
        if length == 0 {
            break; // the client closed its sending side: that is the line
        }
        line.extend_from_slice(&buffer[..length]);
    }
    // Up to and with the \n; a second line in the same stream is not ours.
    if let Some(newline) = line.iter().position(|&byte| byte == b'\n') {
        line.truncate(newline + 1);
    }
    // Decode the whole line only: a piece may end inside a character.
    let sentence = String::from_utf8_lossy(&line);
    connection_socket.write_all(sentence.to_uppercase().as_bytes())?;
    Ok(())
} // the connection socket is dropped here: closed, and the client sees the end
