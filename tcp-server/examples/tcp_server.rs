//! The lecture's TCP server (`docs/python/tcp_server.py`), line for line.
//! Run `cargo run -p tcp-server --example tcp_server [HOST [PORT]]`, then
//! the client in another terminal.
use socket2::{Domain, Socket, Type};
use std::env::args;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::str;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 0.0.0.0 is Python's '': every IPv4 address of this machine
    let server_name = args().nth(1).unwrap_or("0.0.0.0".into());
    let server_port: u16 = args().nth(2).unwrap_or("12000".into()).parse()?;
    // Create the TCP socket (SOCK_STREAM: TCP, the welcoming socket)
    let server_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    // Bind the socket to the port (of the name's IPv4 address)
    let server_address = (server_name.as_str(), server_port)
        .to_socket_addrs()?
        .find(SocketAddr::is_ipv4)
        .ok_or("no IPv4 address")?;
    server_socket.bind(&server_address.into())?;
    // Make it a listening socket (a queue of 1 connection not yet accepted)
    server_socket.listen(1)?;
    let server_socket = TcpListener::from(server_socket);
    println!("The server is ready to receive");
    loop {
        // Accept a client's connection: a new connection socket for it
        let (mut connection_socket, _addr) = server_socket.accept()?;
        let mut buffer = [0; 1024];
        let length = connection_socket.read(&mut buffer)?;
        let sentence = str::from_utf8(&buffer[..length])?;
        let capitalized_sentence = sentence.to_uppercase();
        // Send the reply to the client
        connection_socket.write_all(capitalized_sentence.as_bytes())?;
        // Close the connection socket; the welcoming socket stays open
        drop(connection_socket);
    }
}
