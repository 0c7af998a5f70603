//! The UDP server survives any datagram: it answers each with exactly the
//! upper-cased bytes it read, logs what it cut, and goes on serving.
// Test code: a panic here is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../common/tests/support/mod.rs"]
mod support;

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use support::{DEADLINE, Server};

/// A client socket of the server's family, with a receive deadline.
fn client_for(server: SocketAddr) -> UdpSocket {
    let local = if server.is_ipv4() {
        "127.0.0.1:0"
    } else {
        "[::1]:0"
    };
    let socket = UdpSocket::bind(local).unwrap();
    socket.set_read_timeout(Some(DEADLINE)).unwrap();
    socket
}

/// Sends one datagram and returns the reply's bytes.
fn exchange(server: SocketAddr, datagram: &[u8]) -> Vec<u8> {
    let socket = client_for(server);
    socket.send_to(datagram, server).unwrap();
    let mut buffer = vec![0; 65_536];
    let (length, from) = socket.recv_from(&mut buffer).unwrap();
    assert_eq!(from, server, "the reply comes from the server's address");
    buffer.truncate(length);
    buffer
}

#[test]
fn answers_with_exactly_the_upper_cased_bytes() {
    let server = Server::rust("udp-server", &[], &[]);
    let cases: &[(&[u8], &[u8])] = &[
        (b"hello", b"HELLO"),
        (
            "straße 안녕 ﬁ 🦀".as_bytes(),
            "STRASSE 안녕 FI 🦀".as_bytes(),
        ),
        // Not UTF-8: Python's decode() would raise and end the server.
        (b"\xff\xfeabc", b"\xff\xfeABC"),
        // A Korean character cut after two of its three bytes.
        (b"ab\xea\xb0", b"AB\xea\xb0"),
        // An empty datagram gets an empty reply.
        (b"", b""),
        (b"still here", b"STILL HERE"),
    ];
    for (datagram, expected) in cases {
        assert_eq!(exchange(server.address, datagram), *expected);
    }
}

#[test]
fn a_datagram_longer_than_the_buffer_is_cut_and_logged() {
    let mut server = Server::rust("udp-server", &[], &[]);
    // 3000 bytes: the first 2048 are read and answered, as in Python.
    let datagram: Vec<u8> = (0..3000).map(|i| b'a' + (i % 26) as u8).collect();
    let reply = exchange(server.address, &datagram);
    assert_eq!(reply, datagram[..2048].to_ascii_uppercase());
    let line = server.wait_for_log("datagram of 3000 bytes");
    assert!(line.contains(" WARN "), "{line}");
    assert!(
        line.contains("cut to the first 2048: 952 bytes dropped"),
        "{line}"
    );
    assert_eq!(exchange(server.address, b"next"), b"NEXT");
}

#[test]
fn buffer_size_sets_how_much_is_read() {
    let mut server = Server::rust("udp-server", &["--buffer-size", "4"], &[]);
    assert_eq!(exchange(server.address, b"abcdefgh"), b"ABCD");
    server.wait_for_log("datagram of 8 bytes cut to the first 4");
    // A character that fits is upper-cased; one cut by the buffer passes
    // through as bytes.
    assert_eq!(exchange(server.address, "aé".as_bytes()), "AÉ".as_bytes());
    assert_eq!(exchange(server.address, "abcé".as_bytes()), b"ABC\xc3");
}

#[test]
fn the_largest_datagram_gets_its_reply() {
    let server = Server::rust("udp-server", &["--buffer-size", "65507"], &[]);
    let datagram = vec![b'x'; 65_507];
    let reply = exchange(server.address, &datagram);
    assert_eq!(reply.len(), 65_507);
    assert!(reply.iter().all(|&b| b == b'X'));
}

#[test]
fn many_clients_interleaved_each_get_their_own_reply() {
    let server = Server::rust("udp-server", &[], &[]);
    let clients: Vec<UdpSocket> =
        (0..20).map(|_| client_for(server.address)).collect();
    for (i, client) in clients.iter().enumerate() {
        client
            .send_to(format!("client {i}").as_bytes(), server.address)
            .unwrap();
    }
    for (i, client) in clients.iter().enumerate() {
        let mut buffer = [0; 64];
        let (length, _) = client.recv_from(&mut buffer).unwrap();
        assert_eq!(&buffer[..length], format!("CLIENT {i}").as_bytes());
    }
}

#[test]
fn debug_logging_shows_each_step_and_stdout_stays_python_s() {
    let mut server = Server::rust("udp-server", &[], &[("RUST_LOG", "debug")]);
    let socket = client_for(server.address);
    let client = socket.local_addr().unwrap();
    socket.send_to(b"abc", server.address).unwrap();
    let mut buffer = [0; 16];
    let (length, _) = socket.recv_from(&mut buffer).unwrap();
    assert_eq!(&buffer[..length], b"ABC");
    server.wait_for_log(&format!("{client}: received 3 bytes"));
    server.wait_for_log(&format!("{client}: sent 3 bytes back"));
}

#[test]
fn over_ipv6() {
    if !support::ipv6_available() {
        eprintln!("skipped: this machine has no IPv6 loopback");
        return;
    }
    let server = Server::rust_on("::1", "udp-server", &[], &[]);
    assert!(server.address.is_ipv6());
    assert_eq!(exchange(server.address, "ipv6 ß".as_bytes()), b"IPV6 SS");
}

#[test]
fn a_port_in_use_is_one_clear_line_and_exit_1() {
    let taken = UdpSocket::bind("127.0.0.1:0").unwrap();
    support::assert_port_in_use(
        "udp-server",
        taken.local_addr().unwrap().port(),
    );
}

#[test]
fn bad_arguments_get_the_usage_and_exit_2() {
    for args in [
        &["--buffer-size", "0"][..],
        &["--buffer-size", "100000"],
        &["--port", "x"],
        &["extra"],
    ] {
        support::assert_usage_error("udp-server", args);
    }
}

#[test]
fn the_server_keeps_running_after_all_of_it() {
    let mut server = Server::rust("udp-server", &["--buffer-size", "8"], &[]);
    for datagram in [&b""[..], b"\xff", &[b'a'; 5000], b"\xe2\x82"] {
        let socket = client_for(server.address);
        socket.send_to(datagram, server.address).unwrap();
        // Going away before the reply arrives is fine too.
        drop(socket);
    }
    std::thread::sleep(Duration::from_millis(100));
    assert!(server.is_running());
    assert_eq!(exchange(server.address, b"alive"), b"ALIVE");
}
