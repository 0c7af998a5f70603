//! The lecture listing in Rust (`examples/udp_server.rs`) stands in for
//! `docs/python/udp_server.py`: every client prints exactly what it prints
//! against the Python server, and it fails where the Python fails.
// Test code: a panic here is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../common/tests/support/mod.rs"]
mod support;

use std::net::UdpSocket;

use support::{Output, Server, run_client, target};

/// ASCII, Korean (no case) and `ß` (one letter becomes two).
const SENTENCES: &[&str] = &["hello", "안녕하세요 socket", "straße"];

fn lecture_server() -> Server {
    Server::example("udp-server", "udp_server")
}

/// One client (`udp_client.py` or `udp-client`) run against `server`.
fn ask(client: &str, server: &Server, sentence: &str) -> Output {
    let args = target(client, server.address, &[]);
    run_client(client, &args, &[], format!("{sentence}\n").as_bytes())
}

/// Each client prints the same bytes against the lecture server as
/// against the Python server.
fn same_as_python_server(client: &str, sentences: &[String]) {
    let python = Server::python("udp_server.py");
    let lecture = lecture_server();
    for sentence in sentences {
        let expected = ask(client, &python, sentence);
        let output = ask(client, &lecture, sentence);
        assert!(expected.status.success(), "{expected:?}");
        assert!(output.status.success(), "{output:?}");
        assert_eq!(output.stdout_text(), expected.stdout_text(), "{client}");
        assert_eq!(output.stderr, "", "{client}");
    }
}

fn sentences() -> Vec<String> {
    let mut sentences: Vec<String> =
        SENTENCES.iter().map(|s| s.to_string()).collect();
    // 3000 bytes: one recvfrom(2048) takes the datagram and keeps 2048
    // bytes of it; the rest is discarded, and the reply is 2048 bytes.
    sentences.push("x".repeat(3000));
    sentences
}

#[test]
fn the_python_client_sees_no_difference() {
    same_as_python_server("udp_client.py", &sentences());
}

#[test]
fn the_full_rust_client_sees_no_difference() {
    same_as_python_server("udp-client", &sentences());
}

#[test]
fn the_exact_bytes_printed() {
    let server = lecture_server();
    let cases = [
        ("hello", "HELLO"),
        ("안녕하세요 socket", "안녕하세요 SOCKET"),
        ("straße", "STRASSE"),
    ];
    for (sentence, upper) in cases {
        let output = ask("udp_client.py", &server, sentence);
        assert_eq!(
            output.stdout_text(),
            format!("Input lowercase sentence:{upper}\n")
        );
    }
    let output = ask("udp_client.py", &server, &"x".repeat(3000));
    assert_eq!(
        output.stdout_text(),
        format!("Input lowercase sentence:{}\n", "X".repeat(2048))
    );
}

/// Sends one datagram that is not UTF-8 to `server`.
fn send_not_utf8(server: &Server) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.send_to(b"\xff", server.address).unwrap();
}

#[test]
fn a_datagram_that_is_not_utf8_ends_it_as_it_ends_python() {
    // Python: decode() raises, the traceback ends the server, status 1.
    let mut python = Server::python("udp_server.py");
    send_not_utf8(&python);
    assert_eq!(python.wait_exit().code(), Some(1));
    python.wait_for_log("UnicodeDecodeError");
    assert!(python.log_so_far().ends_with(
        "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in \
         position 0: invalid start byte\n"
    ));

    // Rust: str::from_utf8(..)? returns the error from main, which prints
    // it (in its Debug form) and exits with status 1. No panic (101).
    let mut lecture = lecture_server();
    send_not_utf8(&lecture);
    assert_eq!(lecture.wait_exit().code(), Some(1));
    lecture.wait_for_log("Error: ");
    assert_eq!(
        lecture.log_so_far(),
        "Error: Utf8Error { valid_up_to: 0, error_len: Some(1) }\n"
    );
}

#[test]
fn a_port_in_use_ends_it_with_an_error() {
    let taken = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let program = support::example("udp-server", "udp_server");
    let mut command = std::process::Command::new(program);
    command.args(["127.0.0.1", &port]);
    let output = support::run(command, b"");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(output.stdout, b"");
    assert_eq!(
        output.stderr,
        "Error: Os { code: 98, kind: AddrInUse, \
         message: \"Address already in use\" }\n"
    );
}
