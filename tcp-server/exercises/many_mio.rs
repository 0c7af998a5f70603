//! Exercise `many-mio`: serve many clients from one thread with a
//! readiness loop over non-blocking sockets, with mio, the layer under
//! tokio (docs/en/serving-many.md, "One thread, a readiness loop"). The
//! thread never waits in `accept` or `read`: it waits in `poll` until the
//! kernel (epoll on Linux) says which sockets are ready, and only then
//! calls them.
//!
//! Check it: `cargo lab check many-mio` (on Linux it also counts this
//! server's threads while 20 idle clients are connected: one is right).
//! The page: docs/en/exercises/many-mio.md. mio is a dev-dependency of
//! this crate: `mio::{Events, Interest, Poll, Token}` are yours to use.
use mio::net::{TcpListener, TcpStream};
use std::env::args;
use std::error::Error;
use std::io::{ErrorKind, Read, Write};
use std::str;

fn main() -> Result<(), Box<dyn Error>> {
    let server_name = args().nth(1).unwrap_or("0.0.0.0".into());
    let server_port: u16 = args().nth(2).unwrap_or("12000".into()).parse()?;
    // Create, bind and listen (backlog 128), then make it non-blocking:
    // accept and read now return WouldBlock instead of waiting
    let listener =
        std::net::TcpListener::bind((server_name.as_str(), server_port))?;
    listener.set_nonblocking(true)?;
    let server_socket = TcpListener::from_std(listener);
    // 1. A Poll, and the welcoming socket registered with it for READABLE
    //    under a token of its own.
    // 2. Print the ready line, then loop: poll.poll(&mut events, None).
    // 3. For the welcoming socket's token: accept until WouldBlock, and
    //    register each connection under a new token (keep the sockets in
    //    a HashMap by token).
    // 4. For a connection's token: take its socket out of the map and
    //    serve it; Ok(false) means not ready after all: put it back. A
    //    client's error is printed, and ends only that client.
    todo!("the readiness loop around {server_socket:?}");
}

/// The lecture's exchange, on a socket reported ready. `Ok(false)`: the
/// read would block after all (a wake-up can be spurious). (It is `pub`
/// only so that the compiler does not warn while nothing calls it.)
pub fn serve(
    connection_socket: &mut TcpStream,
) -> Result<bool, Box<dyn Error>> {
    let mut buffer = [0; 1024];
    let length = match connection_socket.read(&mut buffer) {
        Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(false),
        length => length?,
    };
    let sentence = str::from_utf8(&buffer[..length])?;
    // A reply of a few KiB fits an empty send buffer: this does not wait
    connection_socket.write_all(sentence.to_uppercase().as_bytes())?;
    Ok(true)
}
