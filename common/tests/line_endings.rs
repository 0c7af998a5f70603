//! The clients send what Python's clients send for a line that ends in
//! `\r\n`: on Linux, piped in, `hello\r` (Python splits standard input at
//! `\n` only); typed at a terminal, `hello` (Python's line reader drops
//! the `\r` too). Each client talks to a capture server in this test,
//! which records the bytes and replies in upper case.
// Test code: a panic here is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/mod.rs"]
mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use support::{DEADLINE, Output};

/// A client run: given the capture server's address, runs one client to
/// its end.
type Client = Box<dyn FnOnce(SocketAddr) -> Output + Send>;

/// What a UDP client sent: one datagram, answered in upper case.
fn udp_sent(client: Client) -> Vec<u8> {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(DEADLINE)).unwrap();
    let address = socket.local_addr().unwrap();
    let run = thread::spawn(move || client(address));
    let mut buffer = [0; 2048];
    let (n, from) = socket.recv_from(&mut buffer).expect("a datagram");
    socket
        .send_to(&common::to_upper(&buffer[..n]), from)
        .unwrap();
    let output = run.join().unwrap();
    assert!(output.status.success(), "{output:?}");
    buffer[..n].to_vec()
}

/// What a TCP client sent on one connection: one read, as the lecture's
/// server does, answered in upper case.
fn tcp_sent(client: Client) -> Vec<u8> {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let run = thread::spawn(move || client(address));
    // accept has no timeout of its own: poll it until the deadline.
    listener.set_nonblocking(true).unwrap();
    let deadline = Instant::now() + DEADLINE;
    let mut connection = loop {
        match listener.accept() {
            Ok((connection, _)) => break connection,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                assert!(Instant::now() < deadline, "no connection");
                thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("accept: {e}"),
        }
    };
    connection.set_nonblocking(false).unwrap();
    connection.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut buffer = [0; 1024];
    let n = connection.read(&mut buffer).unwrap();
    connection
        .write_all(&common::to_upper(&buffer[..n]))
        .unwrap();
    drop(connection);
    let output = run.join().unwrap();
    assert!(output.status.success(), "{output:?}");
    buffer[..n].to_vec()
}

/// Builds a Rust client now, if it is one, so that its build is not timed.
/// The capture servers wait for the client's message at most
/// [`DEADLINE`]; a client built only when it is run (cargo builds another
/// crate's binary on first use) spent that wait in cargo, and in a fresh
/// clone on a loaded machine that took longer than the deadline.
fn built(client: &str) {
    if !client.ends_with(".py") {
        support::binary(client);
    }
}

/// A client (`udp-client`, `tcp_client.py`) with `stdin` piped in.
fn piped(client: &'static str, stdin: &'static [u8]) -> Client {
    built(client);
    Box::new(move |address| {
        let args = support::target(client, address, &[]);
        support::run_client(client, &args, &[], stdin)
    })
}

/// Runs a program in a new terminal (a pseudo-terminal), types `keys`,
/// and prints what the terminal showed. The terminal leaves a typed `\r`
/// as it is, as a real one does after Ctrl-V: otherwise it would turn it
/// into `\n` before any program sees it. Python's pty module, since std
/// has no terminals.
const TERMINAL: &str = r#"
import os, pty, sys, termios
keys = bytes.fromhex(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
attrs = termios.tcgetattr(fd)
attrs[0] &= ~termios.ICRNL
termios.tcsetattr(fd, termios.TCSANOW, attrs)
os.write(fd, keys)
shown = b""
while True:
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    shown += data
sys.stdout.buffer.write(shown)
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
"#;

/// A client with `keys` typed at a terminal.
fn typed(client: &'static str, keys: &'static [u8]) -> Client {
    built(client);
    Box::new(move |address| {
        let hex: String = keys.iter().map(|b| format!("{b:02x}")).collect();
        let mut command = Command::new("python3");
        command.args(["-c", TERMINAL, &hex]);
        if client.ends_with(".py") {
            command.arg("python3").arg(support::python(client));
        } else {
            command.arg(support::binary(client));
        }
        command.args(support::target(client, address, &[]));
        support::run(command, b"")
    })
}

/// A `\r` before the `\n` is part of a piped line, except on Windows,
/// whose text mode takes `\r\n` as the line's end.
const PIPED: &[u8] = if cfg!(windows) { b"hello" } else { b"hello\r" };

#[test]
fn udp_clients_send_a_piped_cr_as_python_does() {
    let python = udp_sent(piped("udp_client.py", b"hello\r\n"));
    assert_eq!(python, PIPED);
    assert_eq!(udp_sent(piped("udp-client", b"hello\r\n")), python);
}

#[test]
fn tcp_clients_send_a_piped_cr_as_python_does() {
    let python = tcp_sent(piped("tcp_client.py", b"hello\r\n"));
    assert_eq!(python, PIPED);
    assert_eq!(tcp_sent(piped("tcp-client", b"hello\r\n")), python);
}

#[test]
#[cfg_attr(not(unix), ignore = "the terminal is made with Python's pty")]
fn udp_clients_drop_a_typed_cr_as_python_does() {
    let python = udp_sent(typed("udp_client.py", b"hello\r\n"));
    assert_eq!(python, b"hello");
    assert_eq!(udp_sent(typed("udp-client", b"hello\r\n")), python);
}

#[test]
#[cfg_attr(not(unix), ignore = "the terminal is made with Python's pty")]
fn tcp_clients_drop_a_typed_cr_as_python_does() {
    let python = tcp_sent(typed("tcp_client.py", b"hello\r\n"));
    assert_eq!(python, b"hello");
    assert_eq!(tcp_sent(typed("tcp-client", b"hello\r\n")), python);
}
