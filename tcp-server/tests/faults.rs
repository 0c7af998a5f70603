//! The TCP server against clients and conditions that used to hurt it: a
//! request in two pieces, clients that never send or never read, no
//! descriptor left for `accept`, more clients than it may serve at once, and
//! nobody reading its output. It closes each connection cleanly, bounds every
//! exchange, backs off instead of spinning, and never dies of its output.
// Test code: a panic here is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../common/tests/support/mod.rs"]
mod support;

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use socket2::{Domain, Socket, Type};
use support::{DEADLINE, Server, timed_out};

/// How long a client waits to show that it is not served.
const HELD_UP: Duration = Duration::from_millis(500);

fn connect(server: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&server, DEADLINE).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream.set_write_timeout(Some(DEADLINE)).unwrap();
    stream
}

/// Sends `sentence`, half-closes, and reads the reply to the end.
fn exchange(server: SocketAddr, sentence: &[u8]) -> io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect_timeout(&server, DEADLINE)?;
    stream.set_read_timeout(Some(DEADLINE))?;
    stream.set_write_timeout(Some(DEADLINE))?;
    stream.write_all(sentence)?;
    stream.shutdown(Shutdown::Write)?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply)?;
    Ok(reply)
}

#[test]
fn a_request_in_two_pieces_gets_its_reply_and_a_clean_close() {
    let mut server = Server::rust("tcp-server", &[], &[]);
    // The server's one read returns the first piece; the second arrives
    // while it answers. Closing with it unread would reset the connection.
    let mut stream = connect(server.address);
    stream.write_all(&[b'a'; 500]).unwrap();
    thread::sleep(Duration::from_millis(200));
    stream.write_all(&[b'b'; 500]).unwrap();
    stream.shutdown(Shutdown::Write).unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).unwrap();
    assert_eq!(reply, [b'A'; 500]);
    let line = server.wait_for_log("input cut");
    assert!(
        line.contains("read the first 500 bytes, dropped 500 more"),
        "{line}"
    );
}

#[test]
fn a_silent_client_is_dropped_at_the_timeout_and_the_next_is_served() {
    let mut server = Server::rust("tcp-server", &["--timeout", "1"], &[]);
    let started = Instant::now();
    let mut silent = connect(server.address);
    assert_eq!(exchange(server.address, b"hello").unwrap(), b"HELLO");
    let waited = started.elapsed().as_secs_f64();
    assert!((0.9..3.0).contains(&waited), "served after {waited} s");
    let mut rest = Vec::new();
    silent.read_to_end(&mut rest).unwrap();
    assert_eq!(rest, b"");
    let address = silent.local_addr().unwrap();
    let line = server.wait_for_log(&address.to_string());
    let expected = format!(
        " WARN {address}: no sentence within 1 s (--timeout): connection \
         closed\n"
    );
    assert!(line.ends_with(&expected), "{line:?}");
}

#[test]
fn a_client_that_never_reads_a_big_reply_holds_the_server_at_most_the_timeout()
{
    let server = Server::rust(
        "tcp-server",
        &["--buffer-size", "65527", "--timeout", "1"],
        &[],
    );
    // A small receive window, and a request whose reply is three times
    // its size (ΐ, 2 bytes, becomes 6): the reply cannot all be taken.
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(2048).unwrap();
    socket
        .connect_timeout(&server.address.into(), DEADLINE)
        .unwrap();
    let mut hog = TcpStream::from(socket);
    hog.set_write_timeout(Some(DEADLINE)).unwrap();
    hog.write_all("ΐ".repeat(32_763).as_bytes()).unwrap();
    let started = Instant::now();
    assert_eq!(exchange(server.address, b"next").unwrap(), b"NEXT");
    let waited = started.elapsed().as_secs_f64();
    assert!(waited < 3.0, "served after {waited} s");
    drop(hog);
}

/// The lowest descriptor number the process has free: the one its next
/// socket would get. (It may have inherited higher ones.)
fn lowest_free_descriptor(pid: u32) -> u64 {
    let open: Vec<u64> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    (0..).find(|n| !open.contains(n)).unwrap()
}

/// Sets the soft limit on the process's descriptors: a new descriptor
/// must be numbered below it.
fn limit_descriptors(pid: u32, limit: u64) {
    let mut prlimit = Command::new("prlimit");
    prlimit.args(["--pid", &pid.to_string(), &format!("--nofile={limit}:")]);
    let output = support::run(prlimit, b"");
    assert!(output.status.success(), "{}", output.stderr);
}

/// CPU time the process has used, in 1/100 s (user + system).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // After "pid (name) ": state is field 3; utime 14 and stime 15.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

fn descriptors(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count()
}

/// Polls until `check` holds, or fails the test at the deadline.
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !check() {
        assert!(Instant::now() < deadline, "never: {what}");
        thread::sleep(Duration::from_millis(10));
    }
}

/// With `idle` clients served and no descriptor left, a new client
/// makes accept fail: one warning, no spinning, and it is served once a
/// descriptor is free again.
fn accept_failures_back_off(args: &[&str], idle: usize) {
    if !std::path::Path::new("/proc/self/stat").exists() {
        eprintln!("skipped: no /proc on this system");
        return;
    }
    let mut server = Server::rust("tcp-server", args, &[]);
    let pid = server.child.id();
    let before = descriptors(pid);
    let idle_clients: Vec<TcpStream> =
        (0..idle).map(|_| connect(server.address)).collect();
    eventually("idle clients accepted", || {
        descriptors(pid) == before + idle
    });
    // No descriptor free below the limit: the next accept fails.
    limit_descriptors(pid, lowest_free_descriptor(pid));

    // An accept already under way has its descriptor (Linux takes it
    // before waiting), so a client may still be served. The first that is
    // not, waits in the backlog: the program cannot accept it.
    let mut waiting = (0..3)
        .find_map(|_| {
            let mut client = connect(server.address);
            client.write_all(b"waiting").unwrap();
            client.shutdown(Shutdown::Write).unwrap();
            client.set_read_timeout(Some(HELD_UP)).unwrap();
            let result = client.read(&mut [0; 16]);
            timed_out(&result).then_some(client)
        })
        .expect("every client served despite the limit");
    waiting.set_read_timeout(Some(DEADLINE)).unwrap();
    let line = server.wait_for_log("accept failed");
    assert!(line.contains(" WARN "), "{line}");
    assert!(line.contains("Too many open files"), "{line}");
    assert!(line.contains("backing off"), "{line}");

    // For a second: no more lines, and next to no CPU time.
    let cpu = cpu_ticks(pid);
    let more = server.log_during(Duration::from_secs(1), 1000);
    let used = cpu_ticks(pid) - cpu;
    assert!(more.is_empty(), "{} more lines: {:?}", more.len(), more[0]);
    assert!(used <= 10, "{used}/100 s of CPU in one second");

    // A descriptor comes free: the waiting client is served.
    if idle_clients.is_empty() {
        limit_descriptors(pid, 1024);
    }
    drop(idle_clients);
    let mut reply = Vec::new();
    waiting.read_to_end(&mut reply).unwrap();
    assert_eq!(reply, b"WAITING");
    let line = server.wait_for_log("accept works again");
    assert!(line.contains(" INFO "), "{line}");
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "reads /proc and uses prlimit: Linux only"
)]
fn accept_failures_back_off_iterative() {
    accept_failures_back_off(&[], 0);
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "reads /proc and uses prlimit: Linux only"
)]
fn accept_failures_back_off_concurrent() {
    accept_failures_back_off(&["--concurrent"], 3);
}

/// The server's thread count, from `/proc/<pid>/status`.
fn threads(pid: u32) -> usize {
    let status =
        std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("Threads:"))
        .and_then(|count| count.trim().parse().ok())
        .unwrap()
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "reads /proc and uses prlimit: Linux only"
)]
fn max_connections_bounds_the_clients_served_at_once() {
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("skipped: no /proc on this system");
        return;
    }
    let server = Server::rust(
        "tcp-server",
        &["--concurrent", "--max-connections", "2"],
        &[],
    );
    let pid = server.child.id();
    let before = threads(pid);
    let first = connect(server.address);
    let _second = connect(server.address);
    eventually("two threads serving", || threads(pid) == before + 2);

    // The third connects (the system completes the handshake into the
    // backlog), but is not accepted, so not served, while two are.
    let mut third = connect(server.address);
    third.write_all(b"third").unwrap();
    third.shutdown(Shutdown::Write).unwrap();
    third
        .set_read_timeout(Some(Duration::from_secs(1)))
        .unwrap();
    let result = third.read(&mut [0; 16]);
    assert!(timed_out(&result), "the third client got {result:?}");
    assert_eq!(threads(pid), before + 2);

    // One leaves: the third is served.
    drop(first);
    third.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut reply = Vec::new();
    third.read_to_end(&mut reply).unwrap();
    assert_eq!(reply, b"THIRD");
}

/// A server process started by a test, killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the server with its output going to `stdout` and `stderr`, and
/// returns it with its address. Its log, which says where it listens, may
/// go nowhere: the port it got comes from /proc.
fn start(args: &[&str], stdout: Stdio, stderr: Stdio) -> (Running, SocketAddr) {
    let asked = support::port_to_ask(false);
    let child = Command::new(support::binary("tcp-server"))
        .args(["--host", "127.0.0.1", "--port", &asked.to_string()])
        .args(args)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut server = Running(child);
    let Some(port) = support::listened_port(&server.0, false, asked) else {
        panic!("tcp-server never listened: {:?}", server.0.try_wait());
    };
    (server, SocketAddr::from(([127, 0, 0, 1], port)))
}

/// An exchange with a server that may still be starting, or may have died.
fn exchange_when_up(
    server: &mut Running,
    address: SocketAddr,
    sentence: &[u8],
) -> Vec<u8> {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            panic!("the server exited: {status}");
        }
        match exchange(address, sentence) {
            Ok(reply) => return reply,
            Err(e) if Instant::now() > deadline => panic!("{e}"),
            Err(_) => thread::sleep(Duration::from_millis(20)),
        }
    }
}

#[test]
fn a_closed_standard_output_does_not_stop_the_server() {
    // As `tcp-server | head -c0`: the ready line cannot be written.
    for args in [&[][..], &["--concurrent"]] {
        let (mut server, address) =
            start(args, support::closed_pipe(), Stdio::null());
        assert_eq!(exchange_when_up(&mut server, address, b"a"), b"A");
        assert_eq!(exchange_when_up(&mut server, address, b"b"), b"B");
        assert!(server.0.try_wait().unwrap().is_none(), "{args:?}");
    }
}

#[test]
fn a_closed_standard_error_does_not_stop_the_server() {
    // The log cannot be written: not the first line, nor the warning
    // that a request over the buffer brings.
    for args in [&[][..], &["--concurrent"]] {
        let (mut server, address) =
            start(args, Stdio::null(), support::closed_pipe());
        let long = vec![b'x'; 5000];
        let reply = exchange_when_up(&mut server, address, &long);
        assert_eq!(reply, [b'X'; 1024]);
        assert_eq!(exchange_when_up(&mut server, address, b"b"), b"B");
        assert!(server.0.try_wait().unwrap().is_none(), "{args:?}");
    }
}

#[test]
fn an_empty_host_is_every_ipv4_address_as_in_python() {
    let mut server = Server::rust_on("", "tcp-server", &[], &[]);
    server.wait_for_log("listening on 0.0.0.0:");
    assert_eq!(exchange(server.address, b"any").unwrap(), b"ANY");
}

#[test]
fn waits_that_round_to_none_and_no_connections_are_usage_errors() {
    for args in [
        &["--timeout", "1e-10"][..],
        &["--timeout", "0"],
        &["--read-timeout", "1e-10"],
        &["--max-connections", "0"],
    ] {
        support::assert_usage_error("tcp-server", args);
    }
}

/// Connects and resets the connection at once: SO_LINGER with a zero
/// timeout makes close() send RST instead of FIN.
fn reset(server: SocketAddr) {
    let socket = Socket::from(connect(server));
    socket.set_linger(Some(Duration::ZERO)).unwrap();
}

#[test]
fn warnings_about_connections_are_rate_limited() {
    // Anyone can reset connections as fast as they can make them: the log
    // says so at most once a second, with the count of the rest.
    for args in [&[][..], &["--concurrent"]] {
        let mut server = Server::rust("tcp-server", args, &[]);
        for _ in 0..100 {
            reset(server.address);
            // Served in order: the reset one has been accepted.
            assert_eq!(exchange(server.address, b"ok").unwrap(), b"OK");
        }
        thread::sleep(Duration::from_millis(1100));
        reset(server.address);
        server.wait_for_log("more like it not logged");
        let log = server.log_so_far();
        let (resets, lines) =
            support::rate_limited_count(&log, "Connection reset by peer");
        assert_eq!(resets, 101, "{args:?}: {log}");
        assert!(lines <= 3, "{args:?}: {lines} lines: {log}");
    }
}
