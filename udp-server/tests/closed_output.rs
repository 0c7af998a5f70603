//! A server must not die because nobody reads what it prints: with its
//! standard output or standard error a pipe whose reader has gone
//! (`udp-server | head -c0`), it goes on answering.
// Test code: a panic here is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(unix)]

#[path = "../../common/tests/support/mod.rs"]
mod support;

use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, Command, Stdio};

use support::{DEADLINE, binary, closed_pipe, line_by_line};

/// A started server, killed when the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Running {
    /// Still serving: not exited (a panic would exit with 101).
    fn assert_running(&mut self) {
        let status = self.0.try_wait().unwrap();
        assert_eq!(status, None, "the server exited");
    }
}

fn udp_server(port: u16, stdout: Stdio, stderr: Stdio) -> Running {
    let mut command = Command::new(binary("udp-server"));
    command
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr);
    Running(command.spawn().unwrap())
}

/// Sends one datagram and returns the reply, or what went wrong.
fn exchange(server: SocketAddr, datagram: &[u8]) -> Result<Vec<u8>, String> {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(DEADLINE)).unwrap();
    socket.send_to(datagram, server).unwrap();
    let mut buffer = vec![0; 65_536];
    match socket.recv_from(&mut buffer) {
        Ok((length, _)) => Ok(buffer[..length].to_vec()),
        Err(e) if e.kind() == ErrorKind::WouldBlock => Err("no reply".into()),
        Err(e) => Err(e.to_string()),
    }
}

#[test]
fn a_closed_standard_output_does_not_stop_the_server() {
    let mut server = udp_server(0, closed_pipe(), Stdio::piped());
    let log = line_by_line(server.0.stderr.take().unwrap());
    let line = log.recv_timeout(DEADLINE).unwrap();
    let address: SocketAddr = line
        .split("listening on ")
        .nth(1)
        .and_then(|rest| rest.trim_end().parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    // The ready line could not be printed: the log says so, in one line.
    let line = log.recv_timeout(DEADLINE).unwrap();
    assert!(
        line.ends_with(
            " WARN cannot print the ready line: Broken pipe (os error 32); \
             serving anyway\n"
        ),
        "{line:?}"
    );
    assert_eq!(exchange(address, b"hello"), Ok(b"HELLO".to_vec()));
    server.assert_running();
}

#[test]
fn a_closed_standard_error_does_not_stop_the_server() {
    // Its log, which says where it listens, cannot be read: the port it
    // got comes from /proc.
    let asked = support::port_to_ask(true);
    let mut server = udp_server(asked, Stdio::piped(), closed_pipe());
    let ready = line_by_line(server.0.stdout.take().unwrap());
    assert_eq!(
        ready.recv_timeout(DEADLINE).unwrap(),
        "The server is ready to receive\n"
    );
    let port = support::listened_port(&server.0, true, asked).unwrap();
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    // 3000 bytes: more than the buffer, so the server warns, into a pipe
    // nobody reads.
    let datagram = vec![b'a'; 3000];
    assert_eq!(exchange(address, &datagram), Ok(vec![b'A'; 2048]));
    assert_eq!(exchange(address, b"next"), Ok(b"NEXT".to_vec()));
    server.assert_running();
}
