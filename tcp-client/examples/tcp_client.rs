//! The lecture's TCP client (`docs/python/tcp_client.py`), line for line.
//! Start the server, then `cargo run -p tcp-client --example tcp_client`
//! (optional arguments, as the Python's: HOST PORT).
use std::env::args;
use std::io::{Read, Write, stdin, stdout};
use std::net::TcpStream;
use std::str;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server_name = args().nth(1).unwrap_or("localhost".into());
    let server_port: u16 = args().nth(2).unwrap_or("12000".into()).parse()?;
    // Create a TCP socket (SOCK_STREAM) and connect it to the server:
    // the 3-way handshake. In Rust, one call
    let mut client_socket =
        TcpStream::connect((server_name.as_str(), server_port))?;
    // Read a sentence from the user
    print!("Input lowercase sentence:");
    stdout().flush()?;
    let sentence = match stdin().lines().next() {
        Some(line) => line?,
        None => return Err("EOF when reading a line".into()),
    };
    // Send the sentence to the server
    client_socket.write_all(sentence.as_bytes())?;
    // Receive the server's reply: one read, of at most 1024 bytes
    let mut buffer = [0; 1024];
    let length = client_socket.read(&mut buffer)?;
    let modified_sentence = str::from_utf8(&buffer[..length])?;
    println!("From Server:  {modified_sentence}");
    // Close the socket: dropping it, at the end of main, closes it
    Ok(())
}
