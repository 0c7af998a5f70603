//! The lecture listing in Rust (`examples/tcp_server.rs`) stands in for
//! `docs/python/tcp_server.py`: every client prints exactly what it prints
//! against the Python server, and it fails where the Python fails.
// Test code: a panic here is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../common/tests/support/mod.rs"]
mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::Command;

use support::{DEADLINE, Output, Server, run_client, target};

/// ASCII, Korean (no case) and `ß` (one letter becomes two).
const SENTENCES: &[&str] = &["hello", "안녕하세요 socket", "straße"];

fn lecture_server() -> Server {
    Server::example("tcp-server", "tcp_server")
}

/// One client (`tcp_client.py` or `tcp-client`) run against `server`.
fn ask(client: &str, server: &Server, sentence: &str) -> Output {
    let args = target(client, server.address, &[]);
    run_client(client, &args, &[], format!("{sentence}\n").as_bytes())
}

/// Each client prints the same bytes against the lecture server as
/// against the Python server.
fn same_as_python_server(client: &str, sentences: &[String]) {
    let python = Server::python("tcp_server.py");
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
    SENTENCES.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_python_client_sees_no_difference() {
    let mut sentences = sentences();
    // 3000 bytes: the server reads 1024, answers them, and closes with the
    // rest unread, so its system resets the connection. The reply has
    // already arrived, and Linux lets the client read it before it reports
    // the reset: the Python client prints 1024 X against either server.
    sentences.push("x".repeat(3000));
    same_as_python_server("tcp_client.py", &sentences);
}

#[test]
fn the_full_rust_client_sees_no_difference() {
    same_as_python_server("tcp-client", &sentences());
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
        let output = ask("tcp_client.py", &server, sentence);
        assert_eq!(
            output.stdout_text(),
            format!("Input lowercase sentence:From Server:  {upper}\n")
        );
    }
}

/// Connects to `server` and sends one byte that is not UTF-8.
fn send_not_utf8(server: &Server) {
    let mut stream =
        TcpStream::connect_timeout(&server.address, DEADLINE).unwrap();
    stream.set_write_timeout(Some(DEADLINE)).unwrap();
    stream.write_all(b"\xff").unwrap();
}

#[test]
fn a_sentence_that_is_not_utf8_ends_it_as_it_ends_python() {
    // Python: decode() raises, the traceback ends the server, status 1.
    let mut python = Server::python("tcp_server.py");
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
#[cfg_attr(not(target_os = "linux"), ignore = "ss exists on Linux only")]
fn it_really_listens_with_a_backlog_of_one() {
    let server = lecture_server();
    // For a listening socket, ss shows the backlog in the Send-Q column.
    let mut ss = Command::new("ss");
    ss.args(["-ltnH", &format!("sport = :{}", server.address.port())]);
    let output = support::run(ss, b"");
    let text = output.stdout_text();
    let columns: Vec<&str> = text.split_whitespace().collect();
    // State Recv-Q Send-Q Local Peer
    assert_eq!(columns.first(), Some(&"LISTEN"), "{text}");
    assert_eq!(columns.get(2), Some(&"1"), "backlog: {text}");
}

/// One exchange in which the server closes first: the client reads until
/// the server's FIN, and only then closes.
fn exchange_server_closes_first(server: &Server) {
    let mut stream =
        TcpStream::connect_timeout(&server.address, DEADLINE).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream.write_all(b"hi").unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).unwrap();
    assert_eq!(reply, b"HI");
}

/// Is the server's side of its last connection in TIME-WAIT? It is, unless
/// the system keeps too many already: past `net.ipv4.tcp_max_tw_buckets`
/// (here 131,072; a machine that runs many benches at once reaches it
/// within a minute), Linux closes a connection at once, with no TIME-WAIT,
/// and the port is free again. Then the restart cannot show what it
/// should: the test says why and stops. Any other reason fails the test.
/// `overflows_before`: the count of such closes before the exchange.
fn in_time_wait(server: &Server, overflows_before: u64) -> bool {
    let port = server.address.port();
    let filter = format!("sport = :{port}");
    for _ in 0..50 {
        let mut ss = Command::new("ss");
        ss.args(["-tanH", "state", "time-wait", &filter]);
        if !support::run(ss, b"").stdout.is_empty() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let overflows = time_wait_overflows();
    assert!(
        overflows > overflows_before,
        "no TIME-WAIT on port {port}, and no overflow of the TIME-WAIT table"
    );
    eprintln!(
        "skipped: the system's TIME-WAIT table is full ({overflows} \
         connections closed without TIME-WAIT, TcpExt TCPTimeWaitOverflow); \
         the port was free at once"
    );
    false
}

/// How many connections Linux has closed without TIME-WAIT because its
/// table was full (`TCPTimeWaitOverflow` in /proc/net/netstat).
fn time_wait_overflows() -> u64 {
    let text = std::fs::read_to_string("/proc/net/netstat").unwrap();
    let lines: Vec<&str> =
        text.lines().filter(|l| l.starts_with("TcpExt:")).collect();
    let (names, values) = (lines[0], lines[1]);
    names
        .split_whitespace()
        .zip(values.split_whitespace())
        .find(|(name, _)| *name == "TCPTimeWaitOverflow")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0)
}

/// Stops `server`, then starts `command` on its port.
fn restart(mut server: Server, mut command: Command) -> Output {
    let port = server.address.port().to_string();
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    // Its welcoming socket is closed: only the TIME-WAIT holds the port.
    let refused = TcpStream::connect_timeout(&server.address, DEADLINE);
    assert_eq!(refused.unwrap_err().kind(), ErrorKind::ConnectionRefused);
    command.args(["127.0.0.1", &port]);
    support::run(command, b"")
}

#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "ss exists on Linux only")]
fn it_cannot_restart_on_its_port_at_once_as_python_cannot() {
    // The server closed the last connection first, so its side of it waits
    // in TIME-WAIT for a minute. Neither the Python nor the lecture server
    // sets SO_REUSEADDR, and without it Linux refuses to bind a port that a
    // TIME-WAIT connection still uses.
    let python = Server::python("tcp_server.py");
    let overflows = time_wait_overflows();
    exchange_server_closes_first(&python);
    if !in_time_wait(&python, overflows) {
        return;
    }
    let mut again = Command::new("python3");
    again.arg(support::python("tcp_server.py"));
    let output = restart(python, again);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        output
            .stderr
            .ends_with("OSError: [Errno 98] Address already in use\n"),
        "{output:?}"
    );

    let lecture = lecture_server();
    let overflows = time_wait_overflows();
    exchange_server_closes_first(&lecture);
    if !in_time_wait(&lecture, overflows) {
        return;
    }
    let again = Command::new(support::example("tcp-server", "tcp_server"));
    let output = restart(lecture, again);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(output.stdout, b"");
    assert_eq!(
        output.stderr,
        "Error: Os { code: 98, kind: AddrInUse, \
         message: \"Address already in use\" }\n"
    );
}
