//! The lecture's UDP client (`docs/python/udp_client.py`), line for line.
//! Start the server, then `cargo run -p udp-client --example udp_client`
//! (optional arguments, as the Python's: HOST PORT).
use std::env::args;
use std::io::{Write, stdin, stdout};
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::str;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Set the server's address and port number
    let server_name = args().nth(1).unwrap_or("localhost".into());
    let server_port: u16 = args().nth(2).unwrap_or("12000".into()).parse()?;
    // Create the socket: UDP over IPv4 (AF_INET); port 0 lets the system
    // pick the client's port, as Python's first sendto does
    let client_socket = UdpSocket::bind("0.0.0.0:0")?;
    // Read a message from the user
    print!("Input lowercase sentence:");
    stdout().flush()?;
    let message = match stdin().lines().next() {
        Some(line) => line?,
        None => return Err("EOF when reading a line".into()),
    };
    // Send the message to the server (connectionless: every datagram
    // names its destination); AF_INET takes the name's IPv4 address
    let destination = (server_name.as_str(), server_port)
        .to_socket_addrs()?
        .find(SocketAddr::is_ipv4)
        .ok_or("no IPv4 address")?;
    client_socket.send_to(message.as_bytes(), destination)?;
    // Receive the server's reply (2048: the buffer size)
    let mut buffer = [0; 2048];
    let (length, _server_address) = client_socket.recv_from(&mut buffer)?;
    let modified_message = str::from_utf8(&buffer[..length])?;
    println!("{modified_message}");
    // Close the socket: dropping it, at the end of main, closes it
    Ok(())
}
