//! The UDP client, Rust and Python, against the UDP server, Rust and
//! Python: every pairing prints the same bytes. Then the client's own
//! failures: no server, an unknown host, bad arguments.
// Test code: a panic here is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../common/tests/support/mod.rs"]
mod support;

use std::net::UdpSocket;
use std::thread;
use std::time::Instant;

use support::{DEADLINE, Server, run_client, target};

const PROMPT: &str = "Input lowercase sentence:";

/// Sentences and what every client must print for them.
const SAMPLES: &[(&str, &str)] = &[
    ("hello, socket world", "HELLO, SOCKET WORLD"),
    ("안녕하세요 udp 소켓", "안녕하세요 UDP 소켓"),
    ("straße ﬁnal ﬂow ǆ", "STRASSE FINAL FLOW Ǆ"),
    ("emoji 🦀 crab", "EMOJI 🦀 CRAB"),
    ("", ""),
];

#[test]
fn every_pairing_prints_what_the_python_client_prints() {
    let servers = [
        ("udp-server", Server::rust("udp-server", &[], &[])),
        ("udp_server.py", Server::python("udp_server.py")),
    ];
    for (server_name, server) in &servers {
        for client in ["udp-client", "udp_client.py"] {
            for (sentence, upper) in SAMPLES {
                let input = format!("{sentence}\n");
                let output = run_client(
                    client,
                    &target(client, server.address, &[]),
                    &[],
                    input.as_bytes(),
                );
                let expected = format!("{PROMPT}{upper}\n");
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
fn a_sentence_argument_skips_the_prompt() {
    let server = Server::rust("udp-server", &[], &[]);
    let args = target("udp-client", server.address, &["straße"]);
    let output = run_client("udp-client", &args, &[], b"");
    assert_eq!(output.stdout, b"STRASSE\n");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn a_reply_longer_than_2048_bytes_is_not_cut() {
    // 1000 x "ΐ" is 2000 bytes; upper-cased, 6000: more than the Python
    // client's recvfrom(2048) would take.
    let server = Server::rust("udp-server", &[], &[]);
    let sentence = "ΐ".repeat(1000);
    let output = run_client(
        "udp-client",
        &target("udp-client", server.address, &[]),
        &[],
        format!("{sentence}\n").as_bytes(),
    );
    // Capital iota, combining diaeresis, combining acute: 6 bytes.
    let expected =
        format!("{PROMPT}{}\n", "\u{399}\u{308}\u{301}".repeat(1000));
    assert_eq!(output.stdout.len(), PROMPT.len() + 6000 + 1);
    assert!(output.stdout == expected.as_bytes(), "wrong reply bytes");
}

#[test]
fn bytes_that_are_not_utf8_come_back_unchanged() {
    let server = Server::rust("udp-server", &[], &[]);
    let args = target("udp-client", server.address, &[]);
    let output = run_client("udp-client", &args, &[], b"caf\xc3 \xff ok\n");
    let mut expected = PROMPT.as_bytes().to_vec();
    expected.extend_from_slice(b"CAF\xc3 \xff OK\n");
    assert_eq!(output.stdout, expected);
}

/// A loopback port with no socket behind it: bind one, learn its port,
/// close it.
fn closed_port() -> String {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string()
}

#[test]
fn no_server_is_one_line_at_once_not_after_the_timeout() {
    // The client's socket is connected, so the system's "port unreachable"
    // answer comes back to it as an error.
    let port = closed_port();
    let started = Instant::now();
    let output = run_client(
        "udp-client",
        &[
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--timeout",
            "8",
            "hello",
        ],
        &[],
        b"",
    );
    let waited = started.elapsed().as_secs_f64();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(output.stdout, b"");
    assert_eq!(
        output.stderr,
        format!(
            "Error: no server at 127.0.0.1 port {port}: the system answered \
             that nothing listens there (is the server running, on this \
             port?)\n"
        )
    );
    assert!(waited < 2.0, "waited {waited} s");
}

#[test]
fn a_server_that_does_not_answer_times_out_with_one_line_and_exit_1() {
    // A socket that receives and never answers: no "port unreachable".
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port().to_string();
    let started = Instant::now();
    let output = run_client(
        "udp-client",
        &[
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--timeout",
            "0.5",
            "hi",
        ],
        &[],
        b"",
    );
    let waited = started.elapsed().as_secs_f64();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(output.stdout, b"");
    assert_eq!(
        output.stderr,
        format!(
            "Error: no reply from 127.0.0.1:{port} within 0.5 s: is the \
             server running? (UDP does not report a lost datagram; try \
             again, or raise --timeout)\n"
        )
    );
    assert!((0.5..5.0).contains(&waited), "waited {waited} s");
}

#[test]
fn only_the_server_s_reply_is_taken() {
    // The test plays the server, to learn the client's port.
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    server.set_read_timeout(Some(DEADLINE)).unwrap();
    let address = server.local_addr().unwrap();
    let client = thread::spawn(move || {
        let args = target("udp-client", address, &["hello"]);
        run_client("udp-client", &args, &[], b"")
    });
    let mut buffer = [0; 64];
    let (length, client_address) = server.recv_from(&mut buffer).unwrap();
    assert_eq!(&buffer[..length], b"hello");
    // Another process gets there first, from another port.
    let other = UdpSocket::bind("127.0.0.1:0").unwrap();
    other
        .send_to(b"INJECTED BY ANOTHER PROCESS", client_address)
        .unwrap();
    server.send_to(b"HELLO", client_address).unwrap();
    let output = client.join().unwrap();
    assert_eq!(output.stdout_text(), "HELLO\n", "{}", output.stderr);
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn a_sentence_too_long_for_a_datagram_is_one_line_and_exit_1() {
    let port = closed_port();
    let long = "a".repeat(65_508);
    let output = run_client(
        "udp-client",
        &["--host", "127.0.0.1", "--port", &port, &long],
        &[],
        b"",
    );
    let expected = "Error: sentence of 65508 bytes is too long for one UDP \
                    datagram (at most 65507 bytes)\n";
    assert_eq!(output.stderr, expected);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(output.stdout, b"");
    // Typed in, the same.
    let args = ["--host", "127.0.0.1", "--port", &port];
    let output =
        run_client("udp-client", &args, &[], format!("{long}\n").as_bytes());
    assert_eq!(output.stderr, expected);
    assert_eq!(output.stdout_text(), PROMPT);
}

#[test]
fn the_longest_sentence_is_sent() {
    let server = Server::rust("udp-server", &[], &[]);
    let longest = "a".repeat(65_507);
    let args = target("udp-client", server.address, &[&longest]);
    let output = run_client("udp-client", &args, &[], b"");
    // The server reads the first 2048 bytes, as the Python server does.
    assert_eq!(output.stdout_text(), format!("{}\n", "A".repeat(2048)));
    assert_eq!(output.status.code(), Some(0), "{}", output.stderr);
}

#[test]
fn a_sentence_argument_that_is_not_utf8_is_sent_as_its_bytes() {
    use std::ffi::{OsStr, OsString};
    use std::os::unix::ffi::OsStrExt;

    let server = Server::rust("udp-server", &[], &[]);
    let mut args: Vec<OsString> = target("udp-client", server.address, &[])
        .into_iter()
        .map(OsString::from)
        .collect();
    args.push(OsStr::from_bytes(b"caf\xc3 \xff ok").to_owned());
    let output = run_client("udp-client", &args, &[], b"");
    assert_eq!(output.stdout, b"CAF\xc3 \xff OK\n", "{}", output.stderr);
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn an_empty_host_is_one_line_that_suggests_localhost() {
    let output = run_client("udp-client", &["--host", "", "hello"], &[], b"");
    assert_eq!(
        output.stderr,
        "Error: no server host given (--host ''): give a name or an \
         address, such as localhost or 127.0.0.1\n"
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(output.stdout, b"");
}

#[test]
fn port_0_is_a_usage_error_that_says_why() {
    let output = run_client("udp-client", &["--port", "0", "hello"], &[], b"");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        output.stderr.starts_with(
            "error: invalid value '0' for '--port <PORT>': port 0 is not a \
             port a server can be reached on: give the server's port, 1 to \
             65535 (a server started with --port 0 logs the port it got)\n"
        ),
        "{}",
        output.stderr
    );
    assert_eq!(output.stdout, b"");
}

#[test]
fn an_unknown_host_is_one_line_and_exit_1() {
    let output = run_client(
        "udp-client",
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
    let server = Server::rust("udp-server", &[], &[]);
    let args = target("udp-client", server.address, &[]);
    let output = run_client("udp-client", &args, &[], b"");
    assert_eq!(output.stdout_text(), PROMPT);
    assert_eq!(
        output.stderr,
        "Error: no sentence to send: standard input ended before a line\n"
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn bad_arguments_get_the_usage_and_exit_2() {
    for args in [
        &["--port", "70000"][..],
        &["--timeout", "0"],
        &["--timeout", "1e-10"],
        &["--port", "0"],
        &["--timeout", "soon"],
        &["--no-such-flag"],
    ] {
        support::assert_usage_error("udp-client", args);
    }
}

#[test]
fn help_and_version() {
    let help = run_client("udp-client", &["--help"], &[], b"");
    assert_eq!(help.status.code(), Some(0));
    for option in ["--host", "--port", "--timeout", "[SENTENCE]"] {
        assert!(help.stdout_text().contains(option), "{option}");
    }
    let version = run_client("udp-client", &["--version"], &[], b"");
    assert_eq!(
        version.stdout_text(),
        format!("udp-client {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn ipv6_and_localhost() {
    if !support::ipv6_available() {
        eprintln!("skipped: this machine has no IPv6 loopback");
        return;
    }
    // A server on every IPv6 address (which takes IPv4 too, on Linux), and
    // one on ::1 alone.
    for host in ["::", "::1"] {
        let server = Server::rust_on(host, "udp-server", &[], &[]);
        let port = server.address.port().to_string();
        let output = run_client(
            "udp-client",
            &["--host", "::1", "--port", &port, "ipv6"],
            &[],
            b"",
        );
        assert_eq!(output.stdout, b"IPV6\n", "{host}: {}", output.stderr);
    }
    // localhost goes to 127.0.0.1 first, as the Python client's AF_INET
    // socket does, whatever order the system lists it in.
    let server = Server::rust_on("0.0.0.0", "udp-server", &[], &[]);
    let port = server.address.port().to_string();
    let output = run_client(
        "udp-client",
        &["--host", "localhost", "--port", &port, "local"],
        &[],
        b"",
    );
    assert_eq!(output.stdout, b"LOCAL\n", "{}", output.stderr);
}
