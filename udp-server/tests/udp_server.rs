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
fn the_largest_buffer_s_longest_reply_fits_in_one_datagram() {
    // "ΐ" is 2 bytes and its upper case 6, the most any text grows: a full
    // buffer of them gives the longest reply, 3 x 21835 = 65505 bytes,
    // still within the 65507 bytes of one IPv4 datagram.
    let server = Server::rust("udp-server", &["--buffer-size", "21835"], &[]);
    let datagram = format!("{}a", "ΐ".repeat(10_917));
    assert_eq!(datagram.len(), 21_835);
    let reply = exchange(server.address, datagram.as_bytes());
    assert_eq!(reply.len(), 65_503);
    let expected = format!("{}A", "\u{399}\u{308}\u{301}".repeat(10_917));
    assert!(reply == expected.as_bytes(), "wrong reply bytes");
}

#[test]
fn a_buffer_whose_reply_could_not_fit_in_a_datagram_is_refused() {
    let output = support::run_client(
        "udp-server",
        &["--buffer-size", "21836"],
        &[],
        b"",
    );
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        output.stderr.starts_with(
            "error: invalid value '21836' for '--buffer-size \
             <BUFFER_SIZE>': 21836 is too big: a reply can be 3 times as \
             long as its request (\"ΐ\", 2 bytes, is 6 in upper case), and \
             the longest reply must fit in one UDP datagram (65507 bytes): \
             give 1 to 21835 bytes\n"
        ),
        "{}",
        output.stderr
    );
    assert_eq!(output.stdout, b"");
}

#[test]
fn cut_datagrams_are_logged_at_most_once_a_second_with_a_count() {
    let mut server = Server::rust("udp-server", &["--buffer-size", "4"], &[]);
    const SENT: usize = 30;
    for _ in 0..SENT {
        assert_eq!(exchange(server.address, b"abcdefgh"), b"ABCD");
    }
    // The last one, after a quiet second, is logged for sure.
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(exchange(server.address, b"abcdefgh"), b"ABCD");
    let log = server.log_so_far();
    // Every cut datagram is either a line or counted in the next line.
    let (counted, lines) =
        support::rate_limited_count(&log, "cut to the first 4");
    assert_eq!(counted, SENT + 1, "{log}");
    assert!(lines <= 3, "{log}");
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
fn an_empty_host_is_every_ipv4_address_as_in_python() {
    // bind(('', serverPort)) in the listing.
    let mut server = Server::rust_on("", "udp-server", &[], &[]);
    server.wait_for_log("listening on 0.0.0.0:");
    assert_eq!(exchange(server.address, b"any"), b"ANY");
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
        &["--buffer-size", "65507"],
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
