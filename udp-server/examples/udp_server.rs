//! The lecture's UDP server (`docs/python/udp_server.py`), line for line.
//! Run `cargo run -p udp-server --example udp_server [HOST [PORT]]`, then
//! the client in another terminal.
use std::env::args;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::str;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Set the port number (0.0.0.0 is Python's '': every IPv4 address)
    let server_name = args().nth(1).unwrap_or("0.0.0.0".into());
    let server_port: u16 = args().nth(2).unwrap_or("12000".into()).parse()?;
    // Create the socket and bind it to the port: in Rust, one call
    // (AF_INET: of the name's addresses, the IPv4 one)
    let server_address = (server_name.as_str(), server_port)
        .to_socket_addrs()?
        .find(SocketAddr::is_ipv4)
        .ok_or("no IPv4 address")?;
    let server_socket = UdpSocket::bind(server_address)?;
    // Print that the server has started
    println!("The server is ready to receive");
    // Loop forever: receive each client's message and answer it
    let mut buffer = [0; 2048];
    loop {
        let (length, client_address) = server_socket.recv_from(&mut buffer)?;
        let message = &buffer[..length];
        let modified_message = str::from_utf8(message)?.to_uppercase();
        server_socket.send_to(modified_message.as_bytes(), client_address)?;
    }
}
