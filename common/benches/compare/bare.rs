//! The bare baseline: the same socket calls as the servers, and nothing
//! else. No argument parsing beyond the port, no logging, no checks.
//!
//! The difference between a shipped server and these loops is what the
//! shipped server's extras (clap, tracing, error messages, cut-datagram
//! warnings) cost per request. They run as this bench's own executable,
//! started again with a hidden first argument:
//!
//! ```text
//! compare-<hash> bare-udp-server PORT
//! compare-<hash> bare-tcp-server PORT
//! compare-<hash> bare-tcp-server-waits PORT
//! ```
//!
//! The third is the TCP loop with one call more, the one tcp-server makes
//! to wait for the client's close before its own. It shows what that
//! order costs on its own, apart from everything else the program adds.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::process::ExitCode;
use std::thread;

use socket2::{Domain, Socket, Type};

/// The hidden first arguments, one per bare server.
pub const UDP: &str = "bare-udp-server";
pub const TCP: &str = "bare-tcp-server";
pub const TCP_WAITS: &str = "bare-tcp-server-waits";

/// Runs a bare server if the arguments ask for one. Returns `None` when
/// they do not, so the bench goes on; otherwise the server's exit code.
pub fn run_if_asked(args: &[String]) -> Option<ExitCode> {
    let which = args.get(1)?.as_str();
    if ![UDP, TCP, TCP_WAITS].contains(&which) {
        return None;
    }
    let port: u16 = args.get(2).and_then(|p| p.parse().ok())?;
    exit_with_parent();
    let result = match which {
        UDP => udp(port),
        _ => tcp(port, which == TCP_WAITS),
    };
    Some(match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{which}: {error}");
            ExitCode::FAILURE
        }
    })
}

/// The bench kills its servers when done, but if the bench itself is
/// killed it cannot. Its end closes our standard input, so a thread that
/// waits for that end stops us too. It sleeps in `read` meanwhile, and
/// costs nothing per request.
fn exit_with_parent() {
    thread::spawn(|| {
        let _ = io::copy(&mut io::stdin(), &mut io::sink());
        std::process::exit(0);
    });
}

/// The UDP server loop: recvfrom(2048), upper(), sendto.
fn udp(port: u16) -> io::Result<()> {
    let socket = UdpSocket::bind(("127.0.0.1", port))?;
    println!("The server is ready to receive");
    let mut buffer = [0; 2048];
    loop {
        let Ok((length, client)) = socket.recv_from(&mut buffer) else {
            continue;
        };
        let upper = String::from_utf8_lossy(&buffer[..length]).to_uppercase();
        let _ = socket.send_to(upper.as_bytes(), client);
    }
}

/// The TCP server loop: listen(1), accept, recv(1024), upper(), send,
/// close. With `waits`, one more recv before the close, which returns when
/// the client has closed its side: the client's FIN then comes before
/// ours, as with tcp-server.
///
/// std's `TcpListener::bind` would listen with a backlog of 128. The
/// lecture's server (and ours) asks for 1, and with 4 clients that changes
/// what is measured: the system drops connection requests when the queue
/// is full, each costing a client a second. So the baseline makes the
/// same calls as tcp-server, through socket2: SO_REUSEADDR, bind,
/// listen(1).
fn tcp(port: u16, waits: bool) -> io::Result<()> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.bind(&address.into())?;
    socket.listen(1)?;
    let listener = TcpListener::from(socket);
    println!("The server is ready to receive");
    let mut buffer = [0; 1024];
    for connection in listener.incoming() {
        let Ok(mut connection) = connection else {
            continue;
        };
        let Ok(length) = connection.read(&mut buffer) else {
            continue;
        };
        let upper = String::from_utf8_lossy(&buffer[..length]).to_uppercase();
        let _ = connection.write_all(upper.as_bytes());
        if waits {
            let _ = connection.read(&mut buffer);
        }
        // Dropping the connection here closes it, as close() does.
    }
    Ok(())
}
