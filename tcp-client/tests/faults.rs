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
            "Error: no reply from {} port {} within 0.5 s (--timeout): \
             the server may be busy with another client, or stuck; try \
             again, or raise --timeout\n",
            address.ip(),
            address.port()
        )
    );
}

#[test]
fn part_of_a_reply_then_silence_prints_the_part_then_an_error() {
    // The reply never ends: --timeout cuts it, and what came is printed,
    // its line ended, with an error, as no whole reply came.
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
    assert_eq!(output.status.code(), Some(1), "{}", output.stderr);
    assert_eq!(
        output.stderr,
        "Error: the reply is cut after 4 bytes: it did not end within 0.5 s \
         (--timeout); raise --timeout if the server needs longer\n"
    );
}

/// Runs the client against `answer` with both its output streams on one
/// pipe, as on a terminal's screen, and returns the screen.
fn on_one_screen(answer: impl FnOnce(TcpStream) + Send + 'static) -> String {
    let (address, server) = one_connection(answer);
    // One pipe for both streams, in the order they were written.
    let mut shared = Command::new("sh");
    shared
        .args(["-c", "exec \"$0\" \"$@\" 2>&1"])
        .arg(support::binary("tcp-client"))
        .args(target("tcp-client", address, &["--timeout", "0.5", "part"]))
        .env("NO_COLOR", "1");
    let output = support::run(shared, b"");
    server.join().unwrap();
    output.stdout_text()
}

#[test]
fn the_reply_line_ends_before_the_warning_on_a_shared_terminal() {
    // In a terminal, standard output and error are one screen: the reply's
    // line must be complete before the warning is written. Here the
    // server replies in part, then closes without reading the sentence:
    // a reset, and a warning.
    let screen = on_one_screen(|stream| {
        stream.peek(&mut [0; 1]).unwrap();
        (&stream).write_all(b"PART").unwrap();
        thread::sleep(Duration::from_millis(50));
    });
    assert!(screen.starts_with("From Server:  PART\n"), "{screen:?}");
    assert_eq!(screen.lines().count(), 2, "{screen:?}");
    assert!(
        screen.lines().nth(1).unwrap().contains("WARN"),
        "{screen:?}"
    );
}

#[test]
fn the_reply_line_ends_before_the_error_on_a_shared_terminal() {
    // Part of a reply, then nothing until past the client's --timeout.
    let screen = on_one_screen(|mut stream| {
        read_sentence(&mut stream);
        stream.write_all(b"PART").unwrap();
        thread::sleep(Duration::from_secs(1));
    });
    assert!(screen.starts_with("From Server:  PART\n"), "{screen:?}");
    assert_eq!(screen.lines().count(), 2, "{screen:?}");
    assert!(
        screen.lines().nth(1).unwrap().starts_with("Error: "),
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

/// `From Server:  `: what the client prints before the reply's first byte.
const FROM: &str = "From Server:  ";

/// The reply bytes a client printed: its standard output without the
/// prefix and the line's end, both checked here.
fn printed_reply(stdout: &[u8]) -> &[u8] {
    let reply = stdout.strip_prefix(FROM.as_bytes()).expect("the prefix");
    reply.strip_suffix(b"\n").expect("the line's end")
}

#[test]
fn a_reply_past_max_reply_is_cut_there_with_one_error_line() {
    let (release, held) = mpsc::channel::<()>();
    let (address, server) = one_connection(move |mut stream| {
        read_sentence(&mut stream);
        // Far more than the limit, and the connection kept open: to the
        // client, a server that sends without end. The write fails once
        // the client has gone.
        let _ = stream.write_all(&vec![b'E'; 4 << 20]);
        let _ = held.recv_timeout(DEADLINE);
    });
    let args = target(
        "tcp-client",
        address,
        &["--max-reply", "100000", "--timeout", "5", "endless"],
    );
    let started = Instant::now();
    let output = run_client("tcp-client", &args, &[], b"");
    let waited = started.elapsed().as_secs_f64();
    release.send(()).unwrap();
    server.join().unwrap();
    assert!(waited < 3.0, "gave up after {waited} s");
    assert_eq!(printed_reply(&output.stdout), vec![b'E'; 100_000]);
    assert_eq!(output.status.code(), Some(1), "{}", output.stderr);
    assert_eq!(
        output.stderr,
        "Error: the reply is cut after 100000 bytes: it is longer than \
         --max-reply 100000; raise --max-reply for a longer reply\n"
    );
}

#[test]
fn a_server_that_sends_without_end_is_stopped_at_the_default_limit() {
    // The attack, `--timeout 5` and nothing else, against a fast
    // sender: the default --max-reply (64 MiB) runs out first. The
    // server sends 80 MiB at most, so a client without a limit ends too.
    const LIMIT: usize = 64 << 20;
    let (release, held) = mpsc::channel::<()>();
    let (address, server) = one_connection(move |mut stream| {
        read_sentence(&mut stream);
        let chunk = vec![b'E'; 1 << 20];
        for _ in 0..80 {
            if stream.write_all(&chunk).is_err() {
                break;
            }
        }
        let _ = held.recv_timeout(DEADLINE);
    });
    let args = target("tcp-client", address, &["--timeout", "5", "endless"]);
    let started = Instant::now();
    let output = run_client("tcp-client", &args, &[], b"");
    let waited = started.elapsed().as_secs_f64();
    release.send(()).unwrap();
    server.join().unwrap();
    assert!(waited < 5.0, "gave up after {waited} s");
    assert_eq!(output.stdout.len(), FROM.len() + LIMIT + 1);
    assert!(printed_reply(&output.stdout).iter().all(|&b| b == b'E'));
    assert_eq!(output.status.code(), Some(1), "{}", output.stderr);
    assert_eq!(
        output.stderr,
        "Error: the reply is cut after 67108864 bytes: it is longer than \
         --max-reply 67108864; raise --max-reply for a longer reply\n"
    );
}

/// Runs the client with `--timeout 0.5` against a server that, after the
/// sentence, sends `piece` every `pause`, at most `most` times, then
/// closes: the client must give up after the 0.5 s, however often bytes
/// come, with the bytes it got printed and one error line.
fn assert_cut_by_the_deadline(piece: usize, pause: Duration, most: usize) {
    let (address, server) = one_connection(move |mut stream| {
        read_sentence(&mut stream);
        for _ in 0..most {
            if stream.write_all(&vec![b'S'; piece]).is_err() {
                break;
            }
            thread::sleep(pause);
        }
    });
    let args = target("tcp-client", address, &["--timeout", "0.5", "slow"]);
    let started = Instant::now();
    let output = run_client("tcp-client", &args, &[], b"");
    let waited = started.elapsed().as_secs_f64();
    server.join().unwrap();
    assert!((0.45..1.5).contains(&waited), "gave up after {waited} s");
    let reply = printed_reply(&output.stdout);
    assert!(reply.iter().all(|&b| b == b'S'));
    // What 0.5 s of this server gives, and some room for a slow machine.
    let at_most = piece * (500 / pause.as_millis() as usize + 2);
    assert!(
        (1..=at_most).contains(&reply.len()),
        "{} bytes",
        reply.len()
    );
    assert_eq!(output.status.code(), Some(1), "{}", output.stderr);
    assert_eq!(
        output.stderr,
        format!(
            "Error: the reply is cut after {} bytes: it did not end within \
             0.5 s (--timeout); raise --timeout if the server needs longer\n",
            reply.len()
        )
    );
}

#[test]
fn a_server_that_sends_without_end_is_stopped_by_the_deadline() {
    // 1 KiB every 2 ms: every wait is short, the whole is not. (3 s of it
    // at most, so a client that never gives up ends too.)
    assert_cut_by_the_deadline(1024, Duration::from_millis(2), 1500);
}

#[test]
fn a_server_that_sends_one_byte_at_a_time_is_stopped_by_the_deadline() {
    // One byte every 100 ms, each well within the 0.5 s: the whole
    // exchange is what is bounded, not each wait.
    assert_cut_by_the_deadline(1, Duration::from_millis(100), 30);
}

/// A sentence of `size` bytes of `a`, as one line of standard input.
fn long_line(size: usize) -> Vec<u8> {
    let mut line = vec![b'a'; size];
    line.push(b'\n');
    line
}

/// Runs the client with `--timeout 0.5` and a 16 MiB sentence against a
/// server that `takes` it slowly or not at all, and checks it gives up in
/// time with one line that says why.
fn assert_send_cut_by_the_deadline(takes: fn(&mut TcpStream)) {
    let (address, server) =
        one_connection(move |mut stream| takes(&mut stream));
    let args = target("tcp-client", address, &["--timeout", "0.5"]);
    let started = Instant::now();
    let output = run_client("tcp-client", &args, &[], &long_line(16 << 20));
    let waited = started.elapsed().as_secs_f64();
    server.join().unwrap();
    assert!((0.45..1.5).contains(&waited), "gave up after {waited} s");
    assert_eq!(output.stdout_text(), PROMPT);
    assert_eq!(output.status.code(), Some(1), "{}", output.stderr);
    assert_eq!(
        output.stderr,
        format!(
            "Error: the sentence was not sent within 0.5 s (--timeout): {} \
             port {} is not taking it in time (the server may be stuck, \
             busy with another client, or slow to read); try again, or \
             raise --timeout\n",
            address.ip(),
            address.port()
        )
    );
}

#[test]
fn a_server_that_never_reads_a_long_sentence_is_a_send_timeout() {
    assert_send_cut_by_the_deadline(|stream| {
        // Hold the connection open and read nothing, for 3 s at most.
        let _ = stream.set_read_timeout(Some(Duration::from_secs(3)));
        let _ = stream.peek(&mut [0; 1]);
        thread::sleep(Duration::from_secs(3));
    });
}

#[test]
fn a_server_that_reads_slowly_is_a_send_timeout_too() {
    assert_send_cut_by_the_deadline(|stream| {
        // 4 KiB every 10 ms: the sentence always moves, but 16 MiB would
        // take 40 s. (3 s at most.)
        let mut scratch = [0; 4096];
        for _ in 0..300 {
            if !matches!(stream.read(&mut scratch), Ok(1..)) {
                break;
            }
            thread::sleep(Duration::from_millis(10));
        }
    });
}

#[test]
fn a_reset_while_sending_still_prints_the_reply() {
    // The Python server reads 1024 bytes, replies and closes: the reset
    // comes while the client is still sending a long sentence. What the
    // server sent before it is still the client's to read.
    let server = Server::python("tcp_server.py");
    let args = target("tcp-client", server.address, &[]);
    let output = run_client("tcp-client", &args, &[], &long_line(16 << 20));
    let expected = format!("{PROMPT}{FROM}{}\n", "A".repeat(1024));
    assert_eq!(output.stdout_text(), expected, "{}", output.stderr);
    assert_eq!(output.status.code(), Some(0), "{}", output.stderr);
    let warning = one_warning(&output.stderr);
    assert!(
        warning.contains(
            "connection reset by the server after 1024 bytes; the reply may \
             be incomplete"
        ),
        "{warning}"
    );
}

#[test]
fn a_long_sentence_on_standard_input_is_sent_as_it_is_read() {
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("skipped: no /proc on this system");
        return;
    }
    const LONG: usize = 64 << 20;
    let (got, whole) = mpsc::channel();
    let (release, held) = mpsc::channel::<()>();
    let (address, server) = one_connection(move |mut stream| {
        // Count the sentence without keeping it; once the test has looked
        // at the client's memory, answer with the count.
        let mut scratch = vec![0; 1 << 16];
        let mut length = 0;
        while let Ok(n @ 1..) = stream.read(&mut scratch) {
            length += n;
        }
        got.send(length).unwrap();
        held.recv_timeout(DEADLINE).unwrap();
        stream.write_all(length.to_string().as_bytes()).unwrap();
    });
    let mut child = Command::new(support::binary("tcp-client"))
        .args(target("tcp-client", address, &[]))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // 64 MiB and a newline, written from 1 MiB that the test keeps.
    let writer = thread::spawn(move || {
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..LONG >> 20 {
            stdin.write_all(&chunk)?;
        }
        stdin.write_all(b"\n")
    });
    let length = whole.recv_timeout(DEADLINE);
    // The high-water mark of the client's memory, with the whole sentence
    // sent and the client waiting for the reply.
    let peak = peak_memory_kib(child.id());
    release.send(()).unwrap();
    let deadline = Instant::now() + DEADLINE;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the client still runs after {DEADLINE:?}");
        }
        thread::sleep(Duration::from_millis(5));
    };
    writer.join().unwrap().unwrap();
    server.join().unwrap();
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    assert_eq!(length, Ok(LONG), "the whole sentence arrived");
    assert_eq!(stdout, format!("{PROMPT}{FROM}{LONG}\n"));
    assert!(status.success());
    // Held whole, the sentence alone would take 64 MiB.
    assert!(peak < 16 << 10, "peak memory {peak} KiB");
}
