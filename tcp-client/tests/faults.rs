//! The TCP client when the server misbehaves: it resets the connection,
//! answers late or never, answers a lot, or cannot be reached in time. The
//! client prints every byte it got, as the Python client would, bounds every
//! wait with `--timeout`, and explains each failure in one line.
// Test code: a panic here is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../common/tests/support/mod.rs"]
mod support;

use std::ffi::OsString;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::ffi::OsStringExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use support::{DEADLINE, Server, run_client, target};

const PROMPT: &str = "Input lowercase sentence:";

/// A one-connection server run by the test: `answer` gets the accepted
/// connection (with the deadline on every read and write). If no client
/// comes within the deadline, the thread ends without calling `answer`.
fn one_connection(
    answer: impl FnOnce(TcpStream) + Send + 'static,
) -> (SocketAddr, thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let handle = thread::spawn(move || {
        listener.set_nonblocking(true).unwrap();
        let deadline = Instant::now() + DEADLINE;
        let stream = loop {
            match listener.accept() {
                Ok((stream, _)) => break stream,
                Err(_) if Instant::now() < deadline => {
                    thread::sleep(Duration::from_millis(5));
                }
                Err(_) => return,
            }
        };
        stream.set_nonblocking(false).unwrap();
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        stream.set_write_timeout(Some(DEADLINE)).unwrap();
        answer(stream);
    });
    (address, handle)
}

/// Reads the sentence: everything until the client half-closes.
fn read_sentence(stream: &mut TcpStream) -> Vec<u8> {
    let mut sentence = Vec::new();
    stream.read_to_end(&mut sentence).unwrap();
    sentence
}

/// The one log line a client printed, which must be a warning.
fn one_warning(stderr: &str) -> &str {
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(" WARN "), "{stderr}");
    stderr
}

#[test]
fn a_reset_after_the_reply_loses_no_byte_the_python_client_prints() {
    // The Python server reads 1024 bytes, answers them and closes with the
    // rest unread: its system resets the connection after the reply.
    let server = Server::python("tcp_server.py");
    let input = format!("{}\n", "x".repeat(3000));
    let python = run_client(
        "tcp_client.py",
        &target("tcp_client.py", server.address, &[]),
        &[],
        input.as_bytes(),
    );
    assert!(python.status.success(), "{python:?}");
    let expected =
        format!("{PROMPT}From Server:  {}\n", "X".repeat(1024)).into_bytes();
    assert_eq!(python.stdout, expected, "the Python client in this pairing");
    for _ in 0..3 {
        let rust = run_client(
            "tcp-client",
            &target("tcp-client", server.address, &[]),
            &[],
            input.as_bytes(),
        );
        assert_eq!(rust.stdout, python.stdout, "{}", rust.stderr);
        assert_eq!(rust.status.code(), Some(0), "{}", rust.stderr);
        let warning = one_warning(&rust.stderr);
        assert!(
            warning.contains(
                "connection reset by the server after 1024 bytes; the reply \
                 may be incomplete"
            ),
            "{warning}"
        );
    }
}

#[test]
fn a_reset_before_any_reply_is_one_error_line_and_exit_1() {
    let (address, server) = one_connection(|stream| {
        // Wait for the sentence, then close without reading it: the
        // system answers unread input with a reset, not a FIN.
        stream.peek(&mut [0; 1]).unwrap();
        drop(stream);
    });
    let args = target("tcp-client", address, &["hello"]);
    let output = run_client("tcp-client", &args, &[], b"");
    server.join().unwrap();
    assert_eq!(output.stdout, b"");
    assert_eq!(output.status.code(), Some(1), "{}", output.stderr);
    assert_eq!(
        output.stderr,
        format!(
            "Error: connection reset by {} port {} before any reply: the \
             server closed the connection without reading the whole \
             sentence, or was stopped\n",
            address.ip(),
            address.port()
        )
    );
}

#[test]
fn no_reply_within_the_timeout_is_one_error_line_and_exit_1() {
    let (release, held) = mpsc::channel::<()>();
    let (address, server) = one_connection(move |mut stream| {
        read_sentence(&mut stream);
        // Never answer, but keep the connection open until released.
        let _ = held.recv_timeout(DEADLINE);
    });
    let args = target("tcp-client", address, &["--timeout", "0.5", "hello"]);
    let started = Instant::now();
    let output = run_client("tcp-client", &args, &[], b"");
    let waited = started.elapsed().as_secs_f64();
    release.send(()).unwrap();
    server.join().unwrap();
    assert!((0.45..3.0).contains(&waited), "gave up after {waited} s");
    assert_eq!(output.stdout, b"");
    assert_eq!(output.status.code(), Some(1), "{}", output.stderr);
    assert_eq!(
        output.stderr,
        format!(
            "Error: no reply from {} port {} within 0.5 s after sending: \
             the server may be busy with another client, or stuck; try \
             again, or raise --timeout\n",
            address.ip(),
            address.port()
        )
    );
}

#[test]
fn part_of_a_reply_then_silence_prints_the_part_and_warns() {
    let (release, held) = mpsc::channel::<()>();
    let (address, server) = one_connection(move |mut stream| {
        read_sentence(&mut stream);
        stream.write_all(b"PART").unwrap();
        let _ = held.recv_timeout(DEADLINE);
    });
    let args = target("tcp-client", address, &["--timeout", "0.5", "part"]);
    let output = run_client("tcp-client", &args, &[], b"");
    release.send(()).unwrap();
    server.join().unwrap();
    assert_eq!(output.stdout, b"From Server:  PART\n");
    assert_eq!(output.status.code(), Some(0), "{}", output.stderr);
    let warning = one_warning(&output.stderr);
    assert!(
        warning.contains(&format!(
            "the reply stopped after 4 bytes: nothing more from {} port {} \
             within 0.5 s; it may be incomplete",
            address.ip(),
            address.port()
        )),
        "{warning}"
    );
}

#[test]
fn the_reply_line_ends_before_the_warning_on_a_shared_terminal() {
    // In a terminal, standard output and error are one screen: the reply's
    // line must be complete before the warning is written.
    let (release, held) = mpsc::channel::<()>();
    let (address, server) = one_connection(move |mut stream| {
        read_sentence(&mut stream);
        stream.write_all(b"PART").unwrap();
        let _ = held.recv_timeout(DEADLINE);
    });
    // One pipe for both streams, in the order they were written.
    let mut shared = Command::new("sh");
    shared
        .args(["-c", "exec \"$0\" \"$@\" 2>&1"])
        .arg(support::binary("tcp-client"))
        .args(target("tcp-client", address, &["--timeout", "0.5", "part"]))
        .env("NO_COLOR", "1");
    let output = support::run(shared, b"");
    release.send(()).unwrap();
    server.join().unwrap();
    let screen = output.stdout_text();
    assert!(screen.starts_with("From Server:  PART\n"), "{screen:?}");
    assert_eq!(screen.lines().count(), 2, "{screen:?}");
    assert!(
        screen.lines().nth(1).unwrap().contains("WARN"),
        "{screen:?}"
    );
}

#[test]
fn a_full_backlog_is_a_connect_timeout_that_says_so() {
    // The iterative server serves one client, which says nothing; the
    // next ones wait in the backlog of listen(1) until it is full, and
    // then the system drops new SYNs: connect would wait for minutes.
    let server = Server::rust("tcp-server", &[], &[]);
    let mut held = Vec::new();
    let short = Duration::from_millis(300);
    while held.len() < 8 {
        match TcpStream::connect_timeout(&server.address, short) {
            Ok(stream) => {
                held.push(stream);
                // Time for the server to accept the first one: a SYN
                // that finds the queue full only for a moment is dropped.
                thread::sleep(Duration::from_millis(100));
            }
            Err(_) => break,
        }
    }
    assert!(held.len() < 8, "the backlog never filled");
    let args = target("tcp-client", server.address, &["--timeout", "0.5", "x"]);
    let started = Instant::now();
    let output = run_client("tcp-client", &args, &[], b"");
    let waited = started.elapsed().as_secs_f64();
    assert!((0.45..3.0).contains(&waited), "gave up after {waited} s");
    assert_eq!(output.status.code(), Some(1), "{}", output.stderr);
    assert_eq!(
        output.stderr,
        format!(
            "Error: no connection to 127.0.0.1 port {} within 0.5 s: the \
             server may be busy (its backlog full) or a firewall may drop \
             the connection; try again, or raise --timeout\n",
            server.address.port()
        )
    );
}

/// Starts the client with its standard output and error piped, unread.
fn spawn_client(args: &[String]) -> Child {
    Command::new(support::binary("tcp-client"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The peak memory of a running process, from `/proc/<pid>/status`.
fn peak_memory_kib(pid: u32) -> usize {
    let status =
        std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|kib| kib.trim().trim_end_matches(" kB").parse().ok())
        .expect("a VmHWM: line")
}

#[test]
fn a_big_reply_is_printed_as_it_arrives_not_kept_in_memory() {
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("skipped: no /proc on this system");
        return;
    }
    const BIG: usize = 32 << 20;
    let (release, held) = mpsc::channel::<()>();
    let (address, server) = one_connection(move |mut stream| {
        assert_eq!(read_sentence(&mut stream), b"big");
        stream.write_all(&vec![b'B'; BIG]).unwrap();
        // The rest only once the test saw the first part printed.
        held.recv_timeout(DEADLINE).unwrap();
        stream.write_all(b"END").unwrap();
    });
    let mut child = spawn_client(&target("tcp-client", address, &["big"]));
    let pid = child.id();
    let mut stdout = child.stdout.take().unwrap();
    let (chunks, printed) = mpsc::channel();
    thread::spawn(move || {
        let mut chunk = vec![0; 1 << 16];
        while let Ok(n @ 1..) = stdout.read(&mut chunk) {
            if chunks.send(chunk[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let prefix = b"From Server:  ";
    let mut seen = Vec::new();
    let deadline = Instant::now() + DEADLINE;
    while seen.len() < prefix.len() + BIG {
        let left = deadline.saturating_duration_since(Instant::now());
        match printed.recv_timeout(left) {
            Ok(chunk) => seen.extend_from_slice(&chunk),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "only {} bytes printed while the server holds the \
                     connection open: the reply is not streamed",
                    seen.len()
                );
            }
        }
    }
    let peak = peak_memory_kib(pid);
    release.send(()).unwrap();
    while let Ok(chunk) = printed.recv_timeout(DEADLINE) {
        seen.extend_from_slice(&chunk);
    }
    let status = child.wait().unwrap();
    server.join().unwrap();
    assert!(status.success());
    assert_eq!(seen.len(), prefix.len() + BIG + 4);
    assert!(seen.starts_with(prefix));
    assert!(seen[prefix.len()..][..BIG].iter().all(|&b| b == b'B'));
    assert!(seen.ends_with(b"END\n"));
    // A 32 MiB reply read whole would need 32 MiB of memory at least.
    assert!(peak < 16 << 10, "peak memory {peak} KiB");
}

#[test]
fn a_sentence_argument_that_is_not_utf8_is_sent_as_its_bytes() {
    let server = Server::rust("tcp-server", &[], &[]);
    let mut args: Vec<OsString> = target("tcp-client", server.address, &[])
        .into_iter()
        .map(OsString::from)
        .collect();
    args.push(OsString::from_vec(b"caf\xc3 \xff ok".to_vec()));
    let output = run_client("tcp-client", &args, &[], b"");
    assert_eq!(output.stdout, b"From Server:  CAF\xc3 \xff OK\n");
    assert_eq!(output.status.code(), Some(0), "{}", output.stderr);
}

#[test]
fn timeouts_that_round_to_no_wait_are_usage_errors() {
    for args in [&["--timeout", "0"][..], &["--timeout", "1e-10"]] {
        support::assert_usage_error("tcp-client", args);
    }
}
