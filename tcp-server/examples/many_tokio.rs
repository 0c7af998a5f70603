//! Serving many clients, model 5: async tasks on tokio
//! (`docs/python/many_asyncio.py`). Each connection gets a task, which
//! reads like the lecture's straight-line exchange; where it would wait
//! (`.await`), the task steps aside and its thread runs another, while
//! tokio's own readiness loop (mio, epoll) watches the sockets.
//! Run `cargo run -p tcp-server --example many_tokio [HOST [PORT]]`.
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
    loop {
        // Waits without holding a thread: the task sleeps until ready
        let (connection_socket, _addr) = server_socket.accept().await?;
        // A task keeps only what lives across its .await (here the
        // 1 KiB buffer), not a stack of its own
        tokio::spawn(async move {
            if let Err(error) = serve(connection_socket).await {
                eprintln!("{error}");
            }
        });
    }
}

/// The lecture's exchange: one read of up to 1024 bytes, the upper case
/// back, and the connection socket closes when it is dropped here.
async fn serve(mut connection_socket: TcpStream) -> Result<(), Box<dyn Error>> {
    let mut buffer = [0; 1024];
    let length = connection_socket.read(&mut buffer).await?;
    let sentence = str::from_utf8(&buffer[..length])?;
    connection_socket
        .write_all(sentence.to_uppercase().as_bytes())
        .await?;
    Ok(())
}
