//! The TCP client, Rust and Python, against the TCP server, Rust and
//! Python: every pairing prints the same bytes. Then the client's own
//! failures: no server, an unknown host, bad arguments.
// Test code: a panic here is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../common/tests/support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread;

use support::{DEADLINE, Server, run_client, target};

const PROMPT: &str = "Input lowercase sentence:";

/// Sentences and the reply every client must print for them.
const SAMPLES: &[(&str, &str)] = &[
    ("hello, socket world", "HELLO, SOCKET WORLD"),
    ("안녕하세요 tcp 소켓", "안녕하세요 TCP 소켓"),
    ("straße ﬁnal ﬂow ǆ", "STRASSE FINAL FLOW Ǆ"),
    ("emoji 🦀 crab", "EMOJI 🦀 CRAB"),
];

#[test]
fn every_pairing_prints_what_the_python_client_prints() {
    let servers = [
        ("tcp-server", Server::rust("tcp-server", &[], &[])),
        ("tcp_server.py", Server::python("tcp_server.py")),
    ];
    for (server_name, server) in &servers {
        for client in ["tcp-client", "tcp_client.py"] {
            for (sentence, upper) in SAMPLES {
                let input = format!("{sentence}\n");
                let output = run_client(
                    client,
                    &target(client, server.address, &[]),
                    &[],
                    input.as_bytes(),
                );
                // Python's print('From Server: ', x) puts a space between
                // its arguments: two spaces before the reply.
                let expected = format!("{PROMPT}From Server:  {upper}\n");
                assert_eq!(
                    output.stdout_text(),
                    expected,
                    "{client} -> {server_name}, {sentence:?}: {}",
                    output.stderr
                );
                assert!(output.status.success(), "{client}: {output:?}");
            }
        }
    }
}

#[test]
fn an_empty_line_gets_an_empty_reply_instead_of_a_deadlock() {
    // The Python client sends no byte for an empty line and waits; the
    // server waits for a byte: both hang. The Rust client half-closes, so
    // either server reads the end of input and answers with nothing.
    let servers = [
        Server::rust("tcp-server", &[], &[]),
        Server::python("tcp_server.py"),
    ];
    for server in &servers {
        let args = target("tcp-client", server.address, &[]);
        let output = run_client("tcp-client", &args, &[], b"\n");
        assert_eq!(output.stdout_text(), format!("{PROMPT}From Server:  \n"));
        assert_eq!(output.status.code(), Some(0));
    }
}

#[test]
fn a_sentence_argument_skips_the_prompt() {
    let server = Server::rust("tcp-server", &[], &[]);
    let args = target("tcp-client", server.address, &["straße"]);
    let output = run_client("tcp-client", &args, &[], b"");
    assert_eq!(output.stdout, b"From Server:  STRASSE\n");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn a_reply_longer_than_1024_bytes_is_read_to_the_end() {
    // 300 x "ΐ" is 600 bytes, under the server's 1024; upper-cased it is
    // 1800 bytes, more than the Python client's recv(1024) would take.
    let server = Server::rust("tcp-server", &[], &[]);
    let sentence = "ΐ".repeat(300);
    let output = run_client(
        "tcp-client",
        &target("tcp-client", server.address, &[]),
        &[],
        format!("{sentence}\n").as_bytes(),
    );
    let upper = "\u{399}\u{308}\u{301}".repeat(300);
    let expected = format!("{PROMPT}From Server:  {upper}\n");
    assert_eq!(output.stdout.len(), expected.len());
    assert!(output.stdout == expected.as_bytes(), "wrong reply bytes");
}

#[test]
fn a_reply_in_pieces_is_put_together() {
    // A server that sends its reply in three writes, then closes: a byte
    // stream has no message boundaries, so one read may get only a piece.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        let mut buffer = [0; 64];
        let length = stream.read(&mut buffer).unwrap();
        assert_eq!(&buffer[..length], b"in pieces");
        for piece in [&b"IN"[..], b" PIE", b"CES"] {
            stream.write_all(piece).unwrap();
            stream.flush().unwrap();
            thread::sleep(std::time::Duration::from_millis(50));
        }
    });
    let output = run_client(
        "tcp-client",
        &target("tcp-client", address, &["in pieces"]),
        &[],
        b"",
    );
    server.join().unwrap();
    assert_eq!(output.stdout, b"From Server:  IN PIECES\n");
}

#[test]
fn bytes_that_are_not_utf8_come_back_unchanged() {
    let server = Server::rust("tcp-server", &[], &[]);
    let args = target("tcp-client", server.address, &[]);
    let output = run_client("tcp-client", &args, &[], b"caf\xc3 \xff ok\n");
    let mut expected = PROMPT.as_bytes().to_vec();
    expected.extend_from_slice(b"From Server:  CAF\xc3 \xff OK\n");
    assert_eq!(output.stdout, expected);
}

#[test]
fn no_server_is_one_clear_line_and_exit_1() {
    // A port with nothing listening: bind one, learn its port, close it.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let output = run_client(
        "tcp-client",
        &["--host", "127.0.0.1", "--port", &port],
        &[],
        b"hello\n",
    );
    assert_eq!(output.status.code(), Some(1));
    // The client connects before it prompts, as the Python does.
    assert_eq!(output.stdout, b"");
    assert_eq!(
        output.stderr,
        format!(
            "Error: cannot connect to 127.0.0.1 port {port}: Connection \
             refused (os error 111); is the server running, on this host \
             and port?\n"
        )
    );
}

#[test]
fn an_unknown_host_is_one_line_and_exit_1() {
    let output = run_client(
        "tcp-client",
        &["--host", "no-such-host.invalid", "hello"],
        &[],
        b"",
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        output.stderr.starts_with(
            "Error: cannot resolve host \"no-such-host.invalid\": "
        ),
        "{}",
        output.stderr
    );
    assert_eq!(output.stderr.lines().count(), 1, "{}", output.stderr);
}

#[test]
fn end_of_input_before_a_line_is_an_error_not_a_panic() {
    let server = Server::rust("tcp-server", &[], &[]);
    let args = target("tcp-client", server.address, &[]);
    let output = run_client("tcp-client", &args, &[], b"");
    assert_eq!(output.stdout_text(), PROMPT);
    assert_eq!(
        output.stderr,
        "Error: no sentence to send: standard input ended before a line\n"
    );
    assert_eq!(output.status.code(), Some(1));
    // The server goes on serving.
    let output = run_client("tcp-client", &args, &[], "다음 next\n".as_bytes());
    assert_eq!(
        output.stdout_text(),
        format!("{PROMPT}From Server:  다음 NEXT\n")
    );
}

#[test]
fn bad_arguments_get_the_usage_and_exit_2() {
    for args in [
        &["--port", "-1"][..],
        &["--host"],
        &["a", "b"],
        &["--max-reply", "0"],
        &["--max-reply", "1k"],
    ] {
        support::assert_usage_error("tcp-client", args);
    }
}

#[test]
fn help_and_version() {
    let help = run_client("tcp-client", &["--help"], &[], b"");
    assert_eq!(help.status.code(), Some(0));
    for option in ["--host", "--port", "--timeout", "--max-reply", "[SENTENCE]"]
    {
        assert!(help.stdout_text().contains(option), "{option}");
    }
    let version = run_client("tcp-client", &["--version"], &[], b"");
    assert_eq!(
        version.stdout_text(),
        format!("tcp-client {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn ipv6_and_localhost() {
    if !support::ipv6_available() {
        eprintln!("skipped: this machine has no IPv6 loopback");
        return;
    }
    for host in ["::", "::1"] {
        let server = Server::rust_on(host, "tcp-server", &[], &[]);
        let port = server.address.port().to_string();
        let output = run_client(
            "tcp-client",
            &["--host", "::1", "--port", &port, "ipv6"],
            &[],
            b"",
        );
        assert_eq!(output.stdout, b"From Server:  IPV6\n", "{host}");
    }
    // localhost: tried IPv4 first, then IPv6, so it reaches a server on
    // either family, where the system lists ::1 for it.
    let localhost_has_ipv6 =
        std::net::ToSocketAddrs::to_socket_addrs(&("localhost", 0))
            .unwrap()
            .any(|address| address.is_ipv6());
    let hosts: &[&str] = if localhost_has_ipv6 {
        &["0.0.0.0", "::1"]
    } else {
        &["0.0.0.0"]
    };
    for &host in hosts {
        let server = Server::rust_on(host, "tcp-server", &[], &[]);
        let port = server.address.port().to_string();
        let output = run_client(
            "tcp-client",
            &["--host", "localhost", "--port", &port, "local"],
            &[],
            b"",
        );
        assert_eq!(
            output.stdout, b"From Server:  LOCAL\n",
            "{host}: {}",
            output.stderr
        );
    }
}
