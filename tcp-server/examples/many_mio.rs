//! Serving many clients, model 4: one thread and a readiness loop over
//! non-blocking sockets, with mio, the layer under tokio
//! (`docs/python/many_selectors.py`). The thread never waits in `accept`
//! or `read`: it waits in `poll` until the kernel (epoll on Linux) says
//! which sockets are ready, and only then calls them.
//! Run `cargo run -p tcp-server --example many_mio [HOST [PORT]]`.
use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};
use std::collections::HashMap;
use std::env::args;
use std::error::Error;
use std::io::{ErrorKind, Read, Write};
use std::str;

const WELCOMING: Token = Token(0);

fn main() -> Result<(), Box<dyn Error>> {
    let server_name = args().nth(1).unwrap_or("0.0.0.0".into());
    let server_port: u16 = args().nth(2).unwrap_or("12000".into()).parse()?;
    // Create, bind and listen (backlog 128), then make it non-blocking:
    // accept and read now return WouldBlock instead of waiting
    let listener =
        std::net::TcpListener::bind((server_name.as_str(), server_port))?;
    listener.set_nonblocking(true)?;
    let mut server_socket = TcpListener::from_std(listener);
    let mut poll = Poll::new()?;
    let readable = Interest::READABLE;
    poll.registry()
        .register(&mut server_socket, WELCOMING, readable)?;
    // Every connection accepted and not yet answered, by its token
    let mut clients: HashMap<Token, TcpStream> = HashMap::new();
    let mut events = Events::with_capacity(1024);
    let mut next_token = 1;
    println!("The server is ready to receive");
    loop {
        // The one wait: until the kernel reports some socket ready. A stop
        // and continue (Ctrl-Z, then fg) cuts it short: wait again
        match poll.poll(&mut events, None) {
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            waited => waited?,
        }
        for event in &events {
            let token = event.token();
            if token == WELCOMING {
                // Reported once per change: accept until none is left
                loop {
                    let accepted = server_socket.accept();
                    let (mut connection_socket, _addr) = match accepted {
                        Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                        accepted => accepted?,
                    };
                    let token = Token(next_token);
                    next_token += 1;
                    let registry = poll.registry();
                    registry.register(
                        &mut connection_socket,
                        token,
                        readable,
                    )?;
                    clients.insert(token, connection_socket);
                }
            } else if let Some(mut connection_socket) = clients.remove(&token) {
                match serve(&mut connection_socket) {
                    Ok(true) => {}
                    // Not ready after all: keep it, wait for it again
                    Ok(false) => _ = clients.insert(token, connection_socket),
                    Err(error) => eprintln!("{error}"),
                }
                // Dropping the socket closes it and takes it out of the poll
            }
        }
    }
}

/// The lecture's exchange, on a socket reported ready. `Ok(false)`: the
/// read would block after all (a wake-up can be spurious).
fn serve(connection_socket: &mut TcpStream) -> Result<bool, Box<dyn Error>> {
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
