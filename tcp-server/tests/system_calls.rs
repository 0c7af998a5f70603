//! What one connection costs the server in system calls, counted with
//! `strace -f -c`, and the facts about Linux sockets that let it be so few:
//! a time limit set on the welcoming socket is copied into every socket that
//! `accept` returns (and makes `accept` itself give up), a reply that fits in
//! the send buffer is taken at once, and a socket with no unread input closes
//! with a FIN, not a reset.
// Test code: a panic here is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../common/tests/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use socket2::{Domain, Socket, Type};
use support::DEADLINE;

/// The most system calls one connection may cost in the common case: as
/// many as the Python listing makes (accept4, getsockname, recvfrom,
/// sendto, close), one more than the bare loop (accept4, recvfrom, sendto,
/// the recvfrom that waits for the client's close, close).
const BUDGET: f64 = 5.0;

/// The common case, as `tcp-client` does it: send the sentence, say it is
/// complete (half-close), read the reply until the server closes.
fn half_closing_client(server: SocketAddr) -> Vec<u8> {
    let mut stream = connect(server);
    stream.write_all(b"one sentence").unwrap();
    stream.shutdown(Shutdown::Write).unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).unwrap();
    reply
}

/// As the lecture's Python client does it: send, read the reply, close.
fn python_like_client(server: SocketAddr) -> Vec<u8> {
    let mut stream = connect(server);
    stream.write_all(b"one sentence").unwrap();
    let mut reply = vec![0; 12];
    stream.read_exact(&mut reply).unwrap();
    reply
}

/// The lecture's Python client, docs/python/tcp_client.py, as a process:
/// it sends the typed line without its newline, reads once, and closes
/// without a half-close.
fn python_client(server: SocketAddr) -> Vec<u8> {
    let args = support::target("tcp_client.py", server, &[]);
    let output =
        support::run_client("tcp_client.py", &args, &[], b"one sentence\n");
    assert!(output.status.success(), "{}", output.stderr);
    let stdout = output.stdout_text();
    let reply = stdout
        .strip_prefix("Input lowercase sentence:From Server:  ")
        .and_then(|rest| rest.strip_suffix('\n'))
        .unwrap_or_else(|| panic!("{stdout:?}"));
    reply.as_bytes().to_vec()
}

/// tcp-client as a process: it half-closes after its sentence.
fn rust_client(server: SocketAddr) -> Vec<u8> {
    let args = support::target("tcp-client", server, &["one sentence"]);
    let output = support::run_client("tcp-client", &args, &[], b"");
    assert!(output.status.success(), "{}", output.stderr);
    let stdout = output.stdout_text();
    let reply = stdout
        .strip_prefix("From Server:  ")
        .and_then(|rest| rest.strip_suffix('\n'))
        .unwrap_or_else(|| panic!("{stdout:?}"));
    reply.as_bytes().to_vec()
}

/// A client that never says its sentence is complete: it reads until the
/// server closes, then closes.
fn reading_to_the_end_client(server: SocketAddr) -> Vec<u8> {
    let mut stream = connect(server);
    stream.write_all(b"one sentence").unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).unwrap();
    reply
}

fn connect(server: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&server, DEADLINE).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream.set_write_timeout(Some(DEADLINE)).unwrap();
    stream
}

/// Is strace here to count with? If not, says why the test is skipped.
fn strace_available() -> bool {
    let found = Command::new("strace")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !found {
        eprintln!(
            "skipped: strace is not installed, so the system calls cannot \
             be counted (Debian/Ubuntu: apt install strace)"
        );
    }
    found
}

/// tcp-server started under `strace -f -c`; on drop, the server is killed
/// and strace with it.
struct Traced {
    strace: Child,
    summary: PathBuf,
}

impl Traced {
    fn start(args: &[&str]) -> (Traced, SocketAddr) {
        static RUNS: AtomicUsize = AtomicUsize::new(0);
        let run = RUNS.fetch_add(1, Ordering::Relaxed);
        let summary = std::env::temp_dir().join(format!(
            "tcp-server-strace-{}-{run}.txt",
            std::process::id()
        ));
        let mut command = Command::new("strace");
        command
            .args(["-f", "-c", "-o"])
            .arg(&summary)
            .arg("--")
            .arg(support::binary("tcp-server"))
            .args(["--host", "127.0.0.1", "--port", "0"])
            .args(args)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut strace = support::start(&mut command);
        let log = support::line_by_line(strace.stderr.take().unwrap());
        let traced = Traced { strace, summary };
        // "INFO listening on 127.0.0.1:PORT"
        let deadline = Instant::now() + DEADLINE;
        let address = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = log.recv_timeout(left).expect("no `listening on`");
            if let Some((_, rest)) = line.split_once("listening on ") {
                break rest.trim().parse().unwrap();
            }
        };
        (traced, address)
    }

    /// Stops the server, and returns how many times it made each call. An
    /// `accept4` that failed is left out: with no client for a second,
    /// `accept` gives up and is called again, and that is no connection's.
    fn counts(mut self) -> BTreeMap<String, u64> {
        // strace writes its summary when the program it traces ends.
        let pid = self.strace.id();
        let children = format!("/proc/{pid}/task/{pid}/children");
        let server = std::fs::read_to_string(children).unwrap();
        let mut kill = Command::new("kill");
        kill.args(["-KILL", server.trim()]);
        assert!(support::run(kill, b"").status.success());
        let deadline = Instant::now() + DEADLINE;
        while self.strace.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "strace still running");
            thread::sleep(Duration::from_millis(10));
        }
        let text = std::fs::read_to_string(&self.summary).unwrap();
        harness::strace_calls(&text)
    }
}

impl Drop for Traced {
    fn drop(&mut self) {
        let _ = self.strace.kill();
        let _ = self.strace.wait();
        let _ = std::fs::remove_file(&self.summary);
    }
}

/// The system calls per connection of `tcp-server ARGS` serving `client`:
/// the difference between a run of `few + more` connections and one of
/// `few` (so that starting and stopping do not count), divided by `more`.
fn per_connection(
    args: &[&str],
    client: Client,
    [few, more]: [u64; 2],
) -> BTreeMap<String, f64> {
    let mut runs = [few, few + more].map(|connections| {
        let (traced, address) = Traced::start(args);
        for _ in 0..connections {
            assert_eq!(client(address), b"ONE SENTENCE");
        }
        // The last close happens after the client has its reply.
        thread::sleep(Duration::from_millis(100));
        traced.counts()
    });
    let [few, many] = &mut runs;
    many.iter()
        .map(|(name, &calls)| {
            let before = few.get(name).copied().unwrap_or(0);
            (
                name.clone(),
                calls.saturating_sub(before) as f64 / more as f64,
            )
        })
        .filter(|(_, calls)| *calls >= 0.05)
        .collect()
}

/// The calls counted against the budget. A debug build (as `cargo test`
/// makes) checks each descriptor it closes with `fcntl(F_GETFD)`, a check
/// of std's that the release build leaves out: it is not counted.
fn total<'a>(calls: impl IntoIterator<Item = (&'a String, &'a f64)>) -> f64 {
    calls
        .into_iter()
        .filter(|(name, _)| !(cfg!(debug_assertions) && *name == "fcntl"))
        .map(|(_, n)| n)
        .sum()
}

fn on_sockets(calls: &BTreeMap<String, f64>) -> f64 {
    total(
        calls
            .iter()
            .filter(|(name, _)| harness::SOCKET_CALLS.contains(&name.as_str())),
    )
}

fn show(calls: &BTreeMap<String, f64>) -> String {
    let list: Vec<String> = calls
        .iter()
        .map(|(name, n)| format!("{name} {n:.2}"))
        .collect();
    list.join(", ")
}

/// A client in a test: connects to the server, and returns the reply.
type Client = fn(SocketAddr) -> Vec<u8>;

/// The common case, one sentence and a client that reads its reply and
/// closes, in each way the lecture's clients and the bench's do it, with
/// the connections of the two runs compared.
const COMMON_CASE: [(&str, Client, [u64; 2]); 4] = [
    (
        "half-closing, as the bench's",
        half_closing_client,
        [10, 200],
    ),
    ("the Python client's way", python_like_client, [10, 200]),
    ("tcp_client.py", python_client, [2, 20]),
    ("tcp-client", rust_client, [2, 20]),
];

#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "strace exists on Linux only")]
fn one_connection_costs_at_most_five_system_calls() {
    if !strace_available() {
        return;
    }
    for (name, client, runs) in COMMON_CASE {
        let calls = per_connection(&[], client, runs);
        let all = total(&calls);
        eprintln!("iterative, {name}: {all:.2} calls: {}", show(&calls));
        assert!(all <= BUDGET, "{name}: {all:.2} calls: {}", show(&calls));
    }
}

#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "strace exists on Linux only")]
fn with_concurrent_five_on_the_socket_besides_the_thread() {
    if !strace_available() {
        return;
    }
    for (name, client, runs) in COMMON_CASE {
        let calls = per_connection(&["--concurrent"], client, runs);
        let socket = on_sockets(&calls);
        eprintln!(
            "concurrent, {name}: {socket:.2} on the socket: {}",
            show(&calls)
        );
        assert!(
            socket <= BUDGET,
            "{name}: {socket:.2} calls per connection on its socket: {}",
            show(&calls)
        );
    }
}

/// A client that waits for the server's close before its own gets it a
/// second after its reply, for the same 5 calls: the server's wait for
/// the client's close gives up.
#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "strace exists on Linux only")]
fn a_client_that_waits_for_our_close_costs_five_and_a_second() {
    if !strace_available() {
        return;
    }
    let started = Instant::now();
    let calls = per_connection(&[], reading_to_the_end_client, [1, 3]);
    let all = total(&calls);
    eprintln!("reading to the end: {all:.2} calls: {}", show(&calls));
    assert!(all <= BUDGET, "{all:.2} calls: {}", show(&calls));
    let took = started.elapsed().as_secs_f64();
    assert!(took >= 5.0, "5 connections in {took} s");
}

// ---------------------------------------------------------------------
// The facts the program builds on, checked on this machine's kernel.

/// A listening socket on a free loopback port, with backlog 1.
fn welcoming_socket() -> Socket {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    let address = SocketAddr::from(([127, 0, 0, 1], 0));
    socket.bind(&address.into()).unwrap();
    socket.listen(1).unwrap();
    socket
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "a Linux behaviour; other systems may not copy"
)]
fn linux_copies_the_welcoming_sockets_time_limits_into_accepted_sockets() {
    let socket = welcoming_socket();
    // Multiples of 10 ms: the kernel keeps these in clock ticks.
    let (read, write) = (Duration::from_millis(1500), Duration::from_secs(3));
    socket.set_read_timeout(Some(read)).unwrap();
    socket.set_write_timeout(Some(write)).unwrap();
    let listener = TcpListener::from(socket);
    let _client = connect(listener.local_addr().unwrap());
    let (accepted, _) = listener.accept().unwrap();
    assert_eq!(accepted.read_timeout().unwrap(), Some(read));
    assert_eq!(accepted.write_timeout().unwrap(), Some(write));
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "a Linux behaviour; other systems may say TimedOut"
)]
fn a_time_limit_on_the_welcoming_socket_makes_accept_give_up() {
    let socket = welcoming_socket();
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let listener = TcpListener::from(socket);
    let started = Instant::now();
    let error = listener.accept().unwrap_err();
    let waited = started.elapsed().as_secs_f64();
    assert_eq!(error.kind(), ErrorKind::WouldBlock, "{error}");
    assert!((0.19..2.0).contains(&waited), "gave up after {waited} s");
}

#[test]
fn a_reply_that_fits_in_the_send_buffer_is_taken_at_once() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    // A client that never reads.
    let _client = connect(listener.local_addr().unwrap());
    let (accepted, _) = listener.accept().unwrap();
    // Without waiting at all: the system must take the whole reply now.
    // 3072 bytes is the longest reply to the default 1024-byte read ("ΐ",
    // 2 bytes, is 6 in upper case).
    accepted.set_nonblocking(true).unwrap();
    let sent = (&accepted).write(&[b'X'; 3072]).unwrap();
    assert_eq!(sent, 3072);
}

#[test]
fn closing_with_no_unread_input_sends_a_fin_and_with_unread_input_a_reset() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    for unread in [false, true] {
        let mut client = connect(address);
        client.write_all(b"hello").unwrap();
        let (mut accepted, _) = listener.accept().unwrap();
        accepted.set_read_timeout(Some(DEADLINE)).unwrap();
        let mut sentence = [0; 5];
        accepted.read_exact(&mut sentence).unwrap();
        if unread {
            client.write_all(b" and more").unwrap();
            // Until it has arrived: then it is unread input.
            thread::sleep(Duration::from_millis(100));
        }
        accepted.write_all(b"HELLO").unwrap();
        drop(accepted);
        let mut reply = Vec::new();
        let end = client.read_to_end(&mut reply);
        if unread {
            let error = end.unwrap_err();
            assert_eq!(error.kind(), ErrorKind::ConnectionReset, "{error}");
        } else {
            assert_eq!(end.unwrap(), 5);
            assert_eq!(reply, b"HELLO");
        }
    }
}
