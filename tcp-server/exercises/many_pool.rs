//! Exercise `many-pool`: serve many clients with a fixed pool of worker
//! threads, as the Rust book's web server does (docs/en/serving-many.md,
//! "A pool of worker threads"). The main thread accepts each connection
//! and sends it on a channel; `WORKERS` threads, started once, take the
//! connections from the channel in turn and serve them. However many
//! clients come, the server keeps the same threads.
//!
//! Check it: `cargo lab check many-pool` (on Linux it also counts this
//! server's threads while 10, then 20, idle clients are connected).
//! The page: docs/en/exercises/many-pool.md.
//! Std only: `std::thread` and `std::sync` have what you need.
use std::env::args;
use std::error::Error;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::str;
use std::sync::mpsc::{self, Receiver};

const WORKERS: usize = 4;

fn main() -> Result<(), Box<dyn Error>> {
    let server_name = args().nth(1).unwrap_or("0.0.0.0".into());
    let server_port: u16 = args().nth(2).unwrap_or("12000".into()).parse()?;
    // Create, bind and listen in one call (std's backlog: 128 connections)
    let server_socket = TcpListener::bind((server_name.as_str(), server_port))?;
    // The queue of accepted connections, between accept and the workers
    let (sender, receiver) = mpsc::channel::<TcpStream>();
    start_workers(receiver);
    println!("The server is ready to receive");
    loop {
        // Accept at once, however busy the workers: the queue has no bound
        let (connection_socket, _addr) = server_socket.accept()?;
        sender.send(connection_socket)?;
    }
}

/// Starts `WORKERS` threads that take turns at `receiver`: each takes the
/// next connection, serves it, and takes the next. A receiver has one
/// owner: share it between the workers with `Arc` and `Mutex`, and let go
/// of the lock before serving. A client's error is printed, not returned.
fn start_workers(receiver: Receiver<TcpStream>) {
    todo!("start {WORKERS} workers that serve what {receiver:?} brings");
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
