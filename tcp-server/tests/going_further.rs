//! Going further than the listing: `--concurrent` serves each connection on
//! its own thread, and `--read-timeout` closes a connection that sends
//! nothing. Without them the server is the listing's: one client at a time,
//! waiting for each up to the whole exchange's `--timeout` (60 s).
// Test code: a panic here is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../common/tests/support/mod.rs"]
mod support;

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use support::{DEADLINE, Server, timed_out};

/// How long a held-up client waits to show that no reply comes.
const HELD_UP: Duration = Duration::from_secs(1);

/// Connects to the server; every read and write has the deadline.
fn connect(server: &Server) -> TcpStream {
    let stream = TcpStream::connect_timeout(&server.address, DEADLINE)
        .expect("connect to the server");
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream.set_write_timeout(Some(DEADLINE)).unwrap();
    stream
}

/// Reads until the server closes the connection: the whole reply.
fn reply(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply)?;
    Ok(reply)
}

#[test]
fn a_silent_client_holds_up_the_iterative_server() {
    let server = Server::rust("tcp-server", &[], &[]);
    let silent = connect(&server);
    let mut second = connect(&server);
    second.write_all(b"hello").unwrap();

    // The server waits in read on the silent client: no reply comes.
    second.set_read_timeout(Some(HELD_UP)).unwrap();
    let mut buffer = [0; 64];
    let result = second.read(&mut buffer);
    assert!(timed_out(&result), "the second client got {result:?}");

    // As soon as the silent client leaves, the second one is served.
    drop(silent);
    second.set_read_timeout(Some(DEADLINE)).unwrap();
    assert_eq!(reply(&mut second).unwrap(), b"HELLO");
}

#[test]
fn with_concurrent_a_silent_client_holds_up_no_one() {
    let server = Server::rust("tcp-server", &["--concurrent"], &[]);
    let mut silent = connect(&server);
    let mut second = connect(&server);
    second.write_all(b"hello").unwrap();
    // Its sentence is complete (as tcp-client says it): the server then
    // closes right after the reply. (A client that waits for the server's
    // close before its own gets it a second after the reply.)
    second.shutdown(std::net::Shutdown::Write).unwrap();
    let started = Instant::now();
    assert_eq!(reply(&mut second).unwrap(), b"HELLO");
    let waited = started.elapsed();
    assert!(waited < HELD_UP, "the reply took {waited:?}");

    // The silent client's thread is still waiting for it (up to the 60 s
    // of --timeout), and answers when it finally speaks.
    silent.write_all(b"late").unwrap();
    assert_eq!(reply(&mut silent).unwrap(), b"LATE");
}

#[test]
fn read_timeout_frees_the_iterative_server() {
    let mut server =
        Server::rust("tcp-server", &["--read-timeout", "0.5"], &[]);
    let started = Instant::now();
    let mut silent = connect(&server);
    let mut second = connect(&server);
    second.write_all(b"hello").unwrap();

    // The second client is served once the silent one has had its 0.5 s.
    assert_eq!(reply(&mut second).unwrap(), b"HELLO");
    let waited = started.elapsed().as_secs_f64();
    assert!((0.45..3.0).contains(&waited), "served after {waited} s");

    // The silent client was closed (no reply, no reset), and logged.
    assert_eq!(reply(&mut silent).unwrap(), b"");
    let address = silent.local_addr().unwrap();
    let line = server.wait_for_log(&address.to_string());
    let expected = format!(
        " WARN {address}: nothing received for 0.5 s (--read-timeout): \
         connection closed\n"
    );
    assert!(line.ends_with(&expected), "{line:?}");
}

#[test]
fn read_timeout_closes_a_silent_connection_with_concurrent_too() {
    let mut server = Server::rust(
        "tcp-server",
        &["--concurrent", "--read-timeout", "0.5"],
        &[],
    );
    let started = Instant::now();
    let mut silent = connect(&server);
    assert_eq!(reply(&mut silent).unwrap(), b"");
    let waited = started.elapsed().as_secs_f64();
    assert!((0.45..3.0).contains(&waited), "closed after {waited} s");
    let address = silent.local_addr().unwrap();
    let line = server.wait_for_log(&address.to_string());
    assert!(line.contains(" WARN "), "{line:?}");
    assert!(line.contains("nothing received for 0.5 s"), "{line:?}");

    // A client that sends in time is served as usual.
    let mut prompt = connect(&server);
    prompt.write_all(b"in time").unwrap();
    assert_eq!(reply(&mut prompt).unwrap(), b"IN TIME");
}

/// The server's thread count, from `/proc/<pid>/status`.
fn threads(pid: u32) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .expect("read /proc/<pid>/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("Threads:"))
        .and_then(|count| count.trim().parse().ok())
        .expect("a Threads: line")
}

/// How many descriptors (sockets, pipes) the server has open.
fn descriptors(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .expect("read /proc/<pid>/fd")
        .count()
}

/// Polls until the server has `want` threads and descriptors, or the
/// deadline passes; returns what it last saw.
fn settle(pid: u32, want: (usize, usize)) -> (usize, usize) {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let seen = (threads(pid), descriptors(pid));
        if seen == want || Instant::now() > deadline {
            return seen;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn forty_clients_at_once_each_on_its_own_thread_and_nothing_left_behind() {
    const CLIENTS: usize = 40;
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("skipped: no /proc on this system");
        return;
    }
    let server = Server::rust("tcp-server", &["--concurrent"], &[]);
    let pid = server.child.id();
    let before = (threads(pid), descriptors(pid));

    // Forty connections, all open at once: each gets a thread and a
    // connection socket of its own, besides the welcoming socket on the
    // main thread. Each connects once the one before is accepted: a burst
    // faster than accept would overflow the backlog of listen(1), and the
    // system would ignore the extra SYNs (the client retries a second
    // later). That costs time, not correctness, so the test avoids it.
    let mut clients = Vec::new();
    for i in 1..=CLIENTS {
        clients.push(connect(&server));
        let open = (before.0 + i, before.1 + i);
        assert_eq!(settle(pid, open), open, "threads, descriptors");
    }

    // Served last first: one server thread per client, none waits on
    // another. (An iterative server would wait on client 0 for ever.)
    for (i, client) in clients.iter_mut().enumerate().rev() {
        client
            .write_all(format!("client {i}: ß").as_bytes())
            .unwrap();
        let expected = format!("CLIENT {i}: SS");
        assert_eq!(reply(client).unwrap(), expected.as_bytes());
    }

    // Every thread has ended and every connection socket is closed.
    drop(clients);
    assert_eq!(settle(pid, before), before, "threads, descriptors");
}
