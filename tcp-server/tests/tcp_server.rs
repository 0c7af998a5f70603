//! The TCP server survives any client: it answers each connection with
//! exactly the upper-cased bytes it read, logs what went wrong, and goes on
//! to the next connection.
// Test code: a panic here is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../common/tests/support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::time::Duration;

use socket2::Socket;
use support::{DEADLINE, Server, run_client};

fn connect(server: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&server, DEADLINE).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream.set_write_timeout(Some(DEADLINE)).unwrap();
    stream
}

/// Sends `sentence`, half-closes, and reads the reply to the end.
fn exchange(server: SocketAddr, sentence: &[u8]) -> Vec<u8> {
    let mut stream = connect(server);
    stream.write_all(sentence).unwrap();
    stream.shutdown(Shutdown::Write).unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).unwrap();
    reply
}

#[test]
fn answers_with_exactly_the_upper_cased_bytes() {
    let server = Server::rust("tcp-server", &[], &[]);
    let cases: &[(&[u8], &[u8])] = &[
        (b"hello", b"HELLO"),
        (
            "straße 안녕 ﬁ 🦀".as_bytes(),
            "STRASSE 안녕 FI 🦀".as_bytes(),
        ),
        // Not UTF-8: Python's decode() would raise and end the server.
        (b"\xff\xfeabc", b"\xff\xfeABC"),
        (b"ab\xea\xb0", b"AB\xea\xb0"),
        (b"", b""),
        (b"still here", b"STILL HERE"),
    ];
    for (sentence, expected) in cases {
        assert_eq!(exchange(server.address, sentence), *expected);
    }
}

#[test]
fn a_client_that_sends_nothing_and_closes() {
    let server = Server::rust("tcp-server", &[], &[]);
    for _ in 0..3 {
        drop(connect(server.address));
    }
    assert_eq!(exchange(server.address, b"after"), b"AFTER");
}

#[test]
fn a_client_that_resets_the_connection() {
    let mut server = Server::rust("tcp-server", &[], &[("RUST_LOG", "debug")]);
    // SO_LINGER with a zero timeout makes close() send RST instead of FIN.
    let socket = Socket::from(connect(server.address));
    socket.set_linger(Some(Duration::ZERO)).unwrap();
    drop(socket);
    let line = server.wait_for_log("Connection reset by peer");
    assert!(line.contains(" WARN "), "{line}");
    assert_eq!(exchange(server.address, b"after reset"), b"AFTER RESET");
    assert!(server.is_running());
}

#[test]
fn more_than_the_buffer_gets_its_reply_not_a_reset() {
    let mut server = Server::rust("tcp-server", &[], &[]);
    // 5000 bytes in one write: the server reads 1024 (its buffer), answers
    // them, then reads and drops the rest so that its close is a FIN, not
    // an RST that could destroy the reply.
    let sentence: Vec<u8> = (0..5000).map(|i| b'a' + (i % 26) as u8).collect();
    let mut stream = connect(server.address);
    stream.write_all(&sentence).unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).unwrap();
    assert_eq!(reply, sentence[..1024].to_ascii_uppercase());
    drop(stream);
    let line = server.wait_for_log("input cut");
    assert!(line.contains(" WARN "), "{line}");
    assert!(
        line.contains("read the first 1024 bytes, dropped 3976 more"),
        "{line}"
    );
    assert_eq!(exchange(server.address, b"next"), b"NEXT");
}

#[test]
fn the_python_client_sending_too_much_gets_its_reply_too() {
    let server = Server::rust("tcp-server", &[], &[]);
    let sentence = "x".repeat(3000);
    let output = run_client(
        "tcp_client.py",
        &support::target("tcp_client.py", server.address, &[]),
        &[],
        format!("{sentence}\n").as_bytes(),
    );
    assert_eq!(
        output.stdout_text(),
        format!(
            "Input lowercase sentence:From Server:  {}\n",
            "X".repeat(1024)
        )
    );
    assert!(output.status.success(), "{}", output.stderr);
}

#[test]
fn buffer_size_sets_how_much_is_read() {
    let server = Server::rust("tcp-server", &["--buffer-size", "4"], &[]);
    assert_eq!(exchange(server.address, b"abcdefgh"), b"ABCD");
    assert_eq!(exchange(server.address, "abcé".as_bytes()), b"ABC\xc3");
}

#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "ss exists on Linux only")]
fn it_really_listens_with_a_backlog_of_one() {
    let server = Server::rust("tcp-server", &[], &[]);
    // For a listening socket, ss shows the backlog in the Send-Q column.
    let mut ss = Command::new("ss");
    ss.args(["-ltnH", &format!("sport = :{}", server.address.port())]);
    // A missing ss fails here with how to install it.
    let output = support::run(ss, b"");
    let text = String::from_utf8_lossy(&output.stdout);
    let columns: Vec<&str> = text.split_whitespace().collect();
    // State Recv-Q Send-Q Local Peer
    assert_eq!(columns.first(), Some(&"LISTEN"), "{text}");
    assert_eq!(columns.get(2), Some(&"1"), "backlog: {text}");
}

#[test]
fn debug_logging_shows_each_step() {
    let mut server = Server::rust("tcp-server", &[], &[("RUST_LOG", "debug")]);
    let stream = connect(server.address);
    let client = stream.local_addr().unwrap();
    drop(stream);
    server.wait_for_log(&format!("{client}: connection accepted"));
    server.wait_for_log(&format!("{client}: received 0 bytes"));
    let mut stream = connect(server.address);
    let client = stream.local_addr().unwrap();
    stream.write_all(b"abc").unwrap();
    stream.shutdown(Shutdown::Write).unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).unwrap();
    assert_eq!(reply, b"ABC");
    server.wait_for_log(&format!("{client}: received 3 bytes"));
    server.wait_for_log(&format!("{client}: sent 3 bytes back"));
}

#[test]
fn over_ipv6() {
    if !support::ipv6_available() {
        eprintln!("skipped: this machine has no IPv6 loopback");
        return;
    }
    let server = Server::rust_on("::1", "tcp-server", &[], &[]);
    assert!(server.address.is_ipv6());
    assert_eq!(exchange(server.address, "ipv6 ß".as_bytes()), b"IPV6 SS");
}

#[test]
fn a_port_in_use_is_one_clear_line_and_exit_1() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    support::assert_port_in_use(
        "tcp-server",
        taken.local_addr().unwrap().port(),
    );
}

#[test]
fn bad_arguments_get_the_usage_and_exit_2() {
    for args in [&["--buffer-size", "0"][..], &["--port", "99999"], &["x"]] {
        support::assert_usage_error("tcp-server", args);
    }
}
