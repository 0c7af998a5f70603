//! The lecture listing in Rust (`examples/udp_client.rs`) stands in for
//! `docs/python/udp_client.py`: against either server it prints exactly
//! what the Python client prints, and it is weak where the Python is.
// Test code: a panic here is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../common/tests/support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use support::{Output, Server, run_client, run_example, target};

/// ASCII, Korean (no case) and `ß` (one letter becomes two).
const SENTENCES: &[&str] = &["hello", "안녕하세요 socket", "straße"];

/// The lecture client, given HOST PORT as the Python client takes them.
fn lecture_client(server: &Server, stdin: &[u8]) -> Output {
    let args = target("udp_client.py", server.address, &[]);
    run_example("udp-client", "udp_client", &args, stdin)
}

fn python_client(server: &Server, stdin: &[u8]) -> Output {
    let args = target("udp_client.py", server.address, &[]);
    run_client("udp_client.py", &args, &[], stdin)
}

/// Against `server`, the lecture client prints what the Python client
/// prints, byte for byte.
fn same_as_python_client(server: &Server) {
    for sentence in SENTENCES {
        let stdin = format!("{sentence}\n");
        let expected = python_client(server, stdin.as_bytes());
        let output = lecture_client(server, stdin.as_bytes());
        assert!(expected.status.success(), "{expected:?}");
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        assert_eq!(output.stdout, expected.stdout, "{sentence}");
        assert_eq!(output.stderr, "");
    }
}

#[test]
fn against_the_python_server() {
    same_as_python_client(&Server::python("udp_server.py"));
}

#[test]
fn against_the_full_rust_server() {
    same_as_python_client(&Server::rust("udp-server", &[], &[]));
}

#[test]
fn the_exact_bytes_printed() {
    let server = Server::python("udp_server.py");
    let cases = [
        ("hello", "HELLO"),
        ("안녕하세요 socket", "안녕하세요 SOCKET"),
        ("straße", "STRASSE"),
    ];
    for (sentence, upper) in cases {
        let output =
            lecture_client(&server, format!("{sentence}\n").as_bytes());
        assert_eq!(
            output.stdout_text(),
            format!("Input lowercase sentence:{upper}\n")
        );
    }
}

#[test]
fn with_no_server_it_waits_for_a_reply_without_limit() {
    // Nobody listens on this port. The system answers the datagram with an
    // ICMP port unreachable, but an unconnected UDP socket is not told, so
    // recv_from waits forever, as Python's recvfrom does.
    let port = support::free_port(true).to_string();
    let program = support::example("udp-client", "udp_client");
    let mut child = Command::new(program)
        .args(["127.0.0.1", &port])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"hello\n").unwrap();
    thread::sleep(Duration::from_secs(1));
    let still_waiting = child.try_wait().unwrap().is_none();
    // Stop it before asserting, so that a failure leaves nothing behind.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(still_waiting, "the client ended without a reply");
    // The pipes' ends closed with the process: these reads end at once.
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(stdout, "Input lowercase sentence:");
    assert_eq!(stderr, "");
}

#[test]
fn end_of_input_is_an_error_as_in_python() {
    let server = Server::python("udp_server.py");
    // Python: input() raises EOFError, the traceback ends it, status 1.
    let python = python_client(&server, b"");
    assert_eq!(python.status.code(), Some(1));
    assert_eq!(python.stdout_text(), "Input lowercase sentence:");
    assert!(
        python
            .stderr
            .ends_with("EOFError: EOF when reading a line\n")
    );
    // Rust: main returns the error, which is printed; status 1.
    let output = lecture_client(&server, b"");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(output.stdout_text(), "Input lowercase sentence:");
    assert_eq!(output.stderr, "Error: \"EOF when reading a line\"\n");
}

#[test]
fn a_reply_longer_than_2048_bytes_is_cut_as_in_python() {
    // ΐ is 2 bytes and its capital (Ϊ́, three 2-byte characters) 6, so "a"
    // and 1000 of them (2001 bytes, one datagram the server reads whole)
    // come back as 6001 bytes. The client's recvfrom(2048) keeps 2048 of
    // them, which end inside a character: decoding fails, in Python and in
    // Rust alike.
    let server = Server::rust("udp-server", &[], &[]);
    let stdin = format!("a{}\n", "ΐ".repeat(1000));
    let python = python_client(&server, stdin.as_bytes());
    assert_eq!(python.status.code(), Some(1));
    assert!(python.stderr.contains("UnicodeDecodeError"), "{python:?}");
    let output = lecture_client(&server, stdin.as_bytes());
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(output.stdout_text(), "Input lowercase sentence:");
    assert_eq!(output.stdout, python.stdout);
    assert_eq!(
        output.stderr,
        "Error: Utf8Error { valid_up_to: 2047, error_len: None }\n"
    );
}
