//! The server does not answer a datagram whose answer could start an
//! endless loop: one from its own port (its own address, or another server
//! like it) or from a system service's port below 1024 (an echo service
//! answers back, forever). Clients send from ports above 1023. It logs
//! what it refused, at most once a second, and goes on serving.
// Test code: a panic here is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../common/tests/support/mod.rs"]
mod support;

use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::thread;
use std::time::Duration;

use support::{DEADLINE, Server};

/// How long to wait for a reply that must not come. On loopback a reply
/// takes well under a millisecond.
const SILENCE: Duration = Duration::from_millis(300);

/// Sends `datagram` from `socket` and returns the reply, if one comes
/// within `wait`.
fn reply(
    socket: &UdpSocket,
    server: SocketAddr,
    datagram: &[u8],
    wait: Duration,
) -> Option<Vec<u8>> {
    socket.set_read_timeout(Some(wait)).unwrap();
    socket.send_to(datagram, server).unwrap();
    let mut buffer = vec![0; 65_536];
    match socket.recv_from(&mut buffer) {
        Ok((length, _)) => Some(buffer[..length].to_vec()),
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock) => None,
        Err(e) if matches!(e.kind(), ErrorKind::TimedOut) => None,
        Err(e) => panic!("recv_from: {e}"),
    }
}

/// An ordinary client still gets its answer.
fn assert_still_answers(server: SocketAddr) {
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    assert_eq!(
        reply(&client, server, b"still here", DEADLINE),
        Some(b"STILL HERE".to_vec())
    );
}

/// A socket on 127.0.0.1 bound to a port below 1024, the echo port 7 if
/// it is free; `None` without the rights to bind one.
fn socket_on_a_low_port() -> Option<UdpSocket> {
    for port in [7, 19, 13].into_iter().chain(900..1024) {
        match UdpSocket::bind(("127.0.0.1", port)) {
            Ok(socket) => return Some(socket),
            Err(e) if e.kind() == ErrorKind::PermissionDenied => return None,
            Err(_) => continue,
        }
    }
    None
}

#[test]
fn a_datagram_from_a_port_below_1024_is_not_answered() {
    let Some(service) = socket_on_a_low_port() else {
        eprintln!("skipped: binding a port below 1024 needs root");
        return;
    };
    let port = service.local_addr().unwrap().port();
    let mut server = Server::rust("udp-server", &[], &[]);
    assert_eq!(reply(&service, server.address, b"loop?", SILENCE), None);
    let line = server.wait_for_log(&format!("127.0.0.1:{port}: not answered"));
    assert!(line.contains(" WARN "), "{line}");
    assert!(
        line.ends_with(&format!(
            "127.0.0.1:{port}: not answered: it comes from port {port}, a \
             system service's port (below 1024), not a client's; an answer \
             could start an endless loop of replies\n"
        )),
        "{line}"
    );
    assert_still_answers(server.address);
}

#[test]
fn a_datagram_from_the_server_s_own_port_is_not_answered() {
    let mut server = Server::rust("udp-server", &[], &[]);
    let port = server.address.port();
    // Another server like this one, on the same port of another address:
    // Linux routes all of 127.0.0.0/8 to the loopback interface.
    let twin = match UdpSocket::bind(("127.0.0.2", port)) {
        Ok(socket) => socket,
        Err(e) => {
            eprintln!("skipped: cannot bind 127.0.0.2:{port}: {e}");
            return;
        }
    };
    assert_eq!(reply(&twin, server.address, b"loop?", SILENCE), None);
    let line = server.wait_for_log(&format!("127.0.0.2:{port}: not answered"));
    assert!(
        line.ends_with(&format!(
            "127.0.0.2:{port}: not answered: it comes from port {port}, \
             this server's own port; an answer could start an endless loop \
             of replies with itself or a server like it\n"
        )),
        "{line}"
    );
    assert_still_answers(server.address);
}

#[test]
fn refusals_are_logged_at_most_once_a_second_with_a_count() {
    let Some(service) = socket_on_a_low_port() else {
        eprintln!("skipped: binding a port below 1024 needs root");
        return;
    };
    let mut server = Server::rust("udp-server", &[], &[]);
    const SENT: usize = 50;
    for _ in 0..SENT {
        service.send_to(b"flood", server.address).unwrap();
    }
    // The last one, after a quiet second, is logged for sure.
    thread::sleep(Duration::from_millis(1100));
    service.send_to(b"last", server.address).unwrap();
    assert_still_answers(server.address);
    let log = server.log_so_far();
    // Every refusal is either a line or counted in the next line.
    let (counted, lines) =
        support::rate_limited_count(&log, ": not answered: ");
    assert_eq!(counted, SENT + 1, "{log}");
    assert!(lines <= 3, "{log}");
}
