//! Serving many clients, model 2: a thread per connection
//! (`docs/python/many_threads.py`). The lecture's exchange, unchanged; only
//! who waits changed: the main thread waits in `accept`, each client's own
//! thread waits in its `read`, so an idle client holds up no one else.
//! Run `cargo run -p tcp-server --example many_threads [HOST [PORT]]`.
use std::env::args;
use std::error::Error;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::{str, thread};

fn main() -> Result<(), Box<dyn Error>> {
    let server_name = args().nth(1).unwrap_or("0.0.0.0".into());
    let server_port: u16 = args().nth(2).unwrap_or("12000".into()).parse()?;
    // Create, bind and listen in one call (std's backlog: 128 connections)
    let server_socket = TcpListener::bind((server_name.as_str(), server_port))?;
    println!("The server is ready to receive");
    loop {
        // Only accept waits here: the exchange is handed to a new thread
        let (connection_socket, _addr) = server_socket.accept()?;
        // Each thread costs a stack (2 MiB reserved) and a kernel task;
        // when none can be had, dropping the socket closes the connection
        let started = thread::Builder::new().spawn(move || {
            if let Err(error) = serve(connection_socket) {
                eprintln!("{error}");
            }
        });
        if let Err(error) = started {
            eprintln!("no thread for this client: {error}");
        }
    }
}

/// The lecture's exchange: one read of up to 1024 bytes, the upper case
/// back, and the connection socket closes when it is dropped here.
fn serve(mut connection_socket: TcpStream) -> Result<(), Box<dyn Error>> {
    let mut buffer = [0; 1024];
    let length = connection_socket.read(&mut buffer)?;
    let sentence = str::from_utf8(&buffer[..length])?;
    connection_socket.write_all(sentence.to_uppercase().as_bytes())?;
    Ok(())
}
