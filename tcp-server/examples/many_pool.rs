//! Serving many clients, model 3: a fixed pool of worker threads fed from
//! a channel, as the Rust book's web server builds it
//! (`docs/python/many_pool.py`). The main thread accepts and queues each
//! connection; four workers take them in turn, so at most four exchanges
//! run at once, and a fifth client waits in the queue, accepted but unread.
//! Run `cargo run -p tcp-server --example many_pool [HOST [PORT]]`.
use std::env::args;
use std::error::Error;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, mpsc};
use std::{str, thread};

const WORKERS: usize = 4;

fn main() -> Result<(), Box<dyn Error>> {
    let server_name = args().nth(1).unwrap_or("0.0.0.0".into());
    let server_port: u16 = args().nth(2).unwrap_or("12000".into()).parse()?;
    // Create, bind and listen in one call (std's backlog: 128 connections)
    let server_socket = TcpListener::bind((server_name.as_str(), server_port))?;
    // The queue of accepted connections, shared by the workers
    let (sender, receiver) = mpsc::channel::<TcpStream>();
    let receiver = Arc::new(Mutex::new(receiver));
    for _ in 0..WORKERS {
        let receiver = Arc::clone(&receiver);
        thread::spawn(move || {
            loop {
                // Take the next connection; the lock is let go before serving
                let next = match receiver.lock() {
                    Ok(queue) => queue.recv(),
                    Err(_) => return,
                };
                let Ok(connection_socket) = next else { return };
                if let Err(error) = serve(connection_socket) {
                    eprintln!("{error}");
                }
            }
        });
    }
    println!("The server is ready to receive");
    loop {
        // Accept at once, however busy the workers: the queue has no bound
        let (connection_socket, _addr) = server_socket.accept()?;
        sender.send(connection_socket)?;
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
