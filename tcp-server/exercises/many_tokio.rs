//! Exercise `many-tokio`: serve many clients with async tasks on tokio
//! (docs/en/serving-many.md, "Async tasks"). Each connection gets a task,
//! which reads like the lecture's exchange; where it would wait
//! (`.await`), the task steps aside and its thread runs another.
//!
//! Check it: `cargo lab check many-tokio` (on Linux it also counts this
//! server's threads while 10, then 20, idle clients are connected: tasks
//! are not threads, so the count must not grow).
//! The page: docs/en/exercises/many-tokio.md. tokio is a dev-dependency
//! of this crate.
use std::env::args;
use std::error::Error;
use std::str;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

// A runtime with one worker thread per core; tasks move between them
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let server_name = args().nth(1).unwrap_or("0.0.0.0".into());
    let server_port: u16 = args().nth(2).unwrap_or("12000".into()).parse()?;
    // Create, bind and listen (backlog 128), non-blocking for tokio
    let listener =
        std::net::TcpListener::bind((server_name.as_str(), server_port))?;
    listener.set_nonblocking(true)?;
    let server_socket = TcpListener::from_std(listener)?;
    println!("The server is ready to receive");
    // Loop: wait for the next connection with server_socket.accept().await,
    // then give it a task of its own with tokio::spawn(async move { … }),
    // which runs serve and prints its error: one client's error must not
    // end the server.
    todo!("accept on {server_socket:?} and spawn a task for each client");
}

/// The lecture's exchange: one read of up to 1024 bytes, the upper case
/// back, and the connection socket closes when it is dropped here. (It is
/// `pub` only so that the compiler does not warn while nothing calls it.)
pub async fn serve(
    mut connection_socket: TcpStream,
) -> Result<(), Box<dyn Error>> {
    let mut buffer = [0; 1024];
    let length = connection_socket.read(&mut buffer).await?;
    let sentence = str::from_utf8(&buffer[..length])?;
    connection_socket
        .write_all(sentence.to_uppercase().as_bytes())
        .await?;
    Ok(())
}
