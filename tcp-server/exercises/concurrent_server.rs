//! Exercise `concurrent-server`: the lecture's TCP server serves one
//! client at a time, so one client that connects and sends nothing holds
//! up every other client (docs/en/serving-many.md, "Why one at a time
//! blocks"). Change it so that a slow or idle client holds up no one.
//! Below is the lecture's server, with a `todo!()` where the change goes.
//!
//! Check it: `cargo lab check concurrent-server` (it runs this server and
//! sends it an idle client, a slow one, twenty at once and one that
//! resets). The page: docs/en/exercises/concurrent-server.md.
//! Std only: `std::thread` has what you need.
use std::env::args;
use std::error::Error;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::str;

fn main() -> Result<(), Box<dyn Error>> {
    let server_name = args().nth(1).unwrap_or("0.0.0.0".into());
    let server_port: u16 = args().nth(2).unwrap_or("12000".into()).parse()?;
    // Create, bind and listen in one call (std's backlog: 128 connections)
    let server_socket = TcpListener::bind((server_name.as_str(), server_port))?;
    println!("The server is ready to receive");
    loop {
        let (connection_socket, _addr) = server_socket.accept()?;
        // The lecture's server serves the client right here, on its only
        // thread, and accepts no one else until that client is done:
        //     serve(connection_socket)?;
        // Serve it so that this loop is back in accept at once. And one
        // client's error (a reset connection) must not end the server.
        todo!("serve {connection_socket:?} without holding up the next client");
    }
}

/// The lecture's exchange: one read of up to 1024 bytes, the upper case
/// back, and the connection socket closes when it is dropped here. (It is
/// `pub` only so that the compiler does not warn while nothing calls it.)
pub fn serve(mut connection_socket: TcpStream) -> Result<(), Box<dyn Error>> {
    let mut buffer = [0; 1024];
    let length = connection_socket.read(&mut buffer)?;
    let sentence = str::from_utf8(&buffer[..length])?;
    connection_socket.write_all(sentence.to_uppercase().as_bytes())?;
    Ok(())
}
