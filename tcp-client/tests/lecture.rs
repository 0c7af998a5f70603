//! The lecture listing in Rust (`examples/tcp_client.rs`) stands in for
//! `docs/python/tcp_client.py`: against either server it prints exactly
//! what the Python client prints, and it is weak where the Python is.
// Test code: a panic here is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../common/tests/support/mod.rs"]
mod support;

use support::{Output, Server, run_client, run_example, target};

/// ASCII, Korean (no case) and `ß` (one letter becomes two).
const SENTENCES: &[&str] = &["hello", "안녕하세요 socket", "straße"];

/// The lecture client, given HOST PORT as the Python client takes them.
fn lecture_client(server: &Server, stdin: &[u8]) -> Output {
    let args = target("tcp_client.py", server.address, &[]);
    run_example("tcp-client", "tcp_client", &args, stdin)
}

fn python_client(server: &Server, stdin: &[u8]) -> Output {
    let args = target("tcp_client.py", server.address, &[]);
    run_client("tcp_client.py", &args, &[], stdin)
}

/// Against `server`, the lecture client prints what the Python client
/// prints, byte for byte, for each of `sentences`.
fn same_as_python_client(server: &Server, sentences: &[String]) {
    for sentence in sentences {
        let stdin = format!("{sentence}\n");
        let expected = python_client(server, stdin.as_bytes());
        let output = lecture_client(server, stdin.as_bytes());
        assert!(expected.status.success(), "{expected:?}");
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        assert_eq!(output.stdout, expected.stdout, "{sentence}");
        assert_eq!(output.stderr, "");
    }
}

/// The three sentences, then two longer than the servers' 1024 bytes.
fn sentences() -> Vec<String> {
    let mut sentences: Vec<String> =
        SENTENCES.iter().map(|s| s.to_string()).collect();
    sentences.push("x".repeat(3000));
    sentences.push("ΐ".repeat(600));
    sentences
}

#[test]
fn against_the_python_server() {
    same_as_python_client(&Server::python("tcp_server.py"), &sentences());
}

#[test]
fn against_the_full_rust_server() {
    let server = Server::rust("tcp-server", &[], &[]);
    same_as_python_client(&server, &sentences());
}

#[test]
fn the_exact_bytes_printed() {
    let server = Server::python("tcp_server.py");
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
            format!("Input lowercase sentence:From Server:  {upper}\n")
        );
    }
}

#[test]
fn a_long_sentence_gets_1024_bytes_back() {
    // Both servers read once into 1024 bytes, so 3000 x come back as 1024
    // X. The Python server then closes with 1976 bytes unread, and its
    // system resets the connection (RST) instead of closing it (FIN); but
    // the reply had already arrived, and Linux lets the client read it
    // before it reports the reset. The one read gets all of it.
    //
    // With ΐ, the server reads 1024 bytes (512 ΐ), and their capitals
    // (Ϊ́: three 2-byte characters each) make a reply of 3072 bytes. Now
    // it is the client's single recv(1024) that cuts: it prints the first
    // 1024 bytes, and the rest is never read.
    let upper = "ΐ".repeat(512).to_uppercase();
    let cases = [
        ("x".repeat(3000), "X".repeat(1024)),
        ("ΐ".repeat(600), upper[..1024].to_string()),
    ];
    let python = Server::python("tcp_server.py");
    let rust = Server::rust("tcp-server", &[], &[]);
    for server in [&python, &rust] {
        for (sentence, reply) in &cases {
            let output =
                lecture_client(server, format!("{sentence}\n").as_bytes());
            assert_eq!(output.status.code(), Some(0), "{output:?}");
            assert_eq!(
                output.stdout_text(),
                format!("Input lowercase sentence:From Server:  {reply}\n")
            );
        }
    }
}

#[test]
fn with_no_server_the_connection_is_refused() {
    // Nobody listens on this port: the system answers the SYN with a reset,
    // and connect fails before the prompt is shown.
    let port = support::free_port(false);
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let args = target("tcp_client.py", address, &[]);
    let python = run_client("tcp_client.py", &args, &[], b"hello\n");
    assert_eq!(python.status.code(), Some(1));
    assert_eq!(python.stdout, b"");
    assert!(
        python.stderr.ends_with(
            "ConnectionRefusedError: [Errno 111] Connection refused\n"
        ),
        "{python:?}"
    );
    let output = run_example("tcp-client", "tcp_client", &args, b"hello\n");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(output.stdout, b"");
    assert_eq!(
        output.stderr,
        "Error: Os { code: 111, kind: ConnectionRefused, \
         message: \"Connection refused\" }\n"
    );
}

#[test]
fn end_of_input_is_an_error_as_in_python() {
    let server = Server::rust("tcp-server", &[], &[]);
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
