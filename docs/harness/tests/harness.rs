//! The harness against small shell programs that behave and misbehave:
//! a ready line that comes or never does, a run that exits, hangs, forks
//! or floods. Every test checks that nothing it started is left running.
#![cfg(unix)]

use std::fs;
use std::io::ErrorKind;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use harness::{End, Limits, Process, Stream, run};

fn sh(script: &str) -> Command {
    let mut command = Command::new("sh");
    command.args(["-c", script]);
    command
}

/// Is process `pid` running? A zombie is not: it runs no more, and only
/// its parent (here, possibly init) can reap it.
fn running(pid: u32) -> bool {
    let state = fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let (_, rest) = stat.rsplit_once(')')?;
            rest.split_whitespace().next().map(str::to_owned)
        });
    !matches!(state.as_deref(), None | Some("Z" | "X"))
}

/// Is process `pid` gone, or does it go within a few seconds? (A killed
/// process takes a moment to end.)
fn gone(pid: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while running(pid) {
        if Instant::now() > deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(10));
    }
    true
}

fn soon(millis: u64) -> Instant {
    Instant::now() + Duration::from_millis(millis)
}

#[test]
fn waits_for_the_ready_line_and_kills_the_group_when_dropped() {
    let mut process = Process::start(
        &mut sh("echo $$ starting; sleep 60 & echo $!; \
                 echo The server is ready to receive; wait"),
        1024,
    )
    .unwrap();
    let leader = process.id();
    let first = process.next_line(Stream::Stdout, soon(5000)).unwrap();
    assert_eq!(first, format!("{leader} starting\n"));
    let child: u32 = process
        .next_line(Stream::Stdout, soon(5000))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let ready = process.wait_for(Stream::Stdout, "ready", soon(5000));
    assert_eq!(ready.as_deref(), Some("The server is ready to receive\n"));
    assert!(running(child));
    drop(process);
    assert!(gone(leader), "the shell is still running");
    assert!(gone(child), "the sleep it forked is still running");
}

#[test]
fn a_ready_line_that_never_comes_times_out() {
    let mut process =
        Process::start(&mut sh("echo hello; sleep 60"), 1024).unwrap();
    let started = Instant::now();
    let line = process.wait_for(Stream::Stdout, "ready", soon(300));
    assert_eq!(line, None);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(290), "{waited:?}");
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    let pid = process.id();
    assert_eq!(process.end(), None, "it was still running");
    assert!(gone(pid));
}

#[test]
fn a_stream_that_ends_ends_the_wait_at_once() {
    let mut process = Process::start(&mut sh("printf 'a\\nb'"), 1024).unwrap();
    let deadline = soon(5000);
    assert_eq!(process.next_line(Stream::Stdout, deadline).unwrap(), "a\n");
    assert_eq!(process.next_line(Stream::Stdout, deadline).unwrap(), "b");
    let started = Instant::now();
    assert_eq!(process.next_line(Stream::Stdout, deadline), None);
    assert!(started.elapsed() < Duration::from_secs(2));
    let status = process.wait_exit(deadline).unwrap();
    assert!(status.success());
}

#[test]
fn run_gives_the_input_and_keeps_both_outputs_and_the_status() {
    let limits = Limits::default();
    let output = run(
        &mut sh("read line; echo \"got $line\"; echo oops >&2; exit 3"),
        b"hello\n",
        limits,
    )
    .unwrap();
    let End::Exited(status) = output.end else {
        panic!("{:?}", output.end)
    };
    assert_eq!(status.code(), Some(3));
    assert_eq!(output.stdout, b"got hello\n");
    assert_eq!(output.stderr, b"oops\n");
    assert!(!output.success());
    assert!(output.took < Duration::from_secs(5));
}

#[test]
fn run_kills_a_program_that_hangs_and_what_it_forked() {
    let limits = Limits {
        time: Duration::from_millis(500),
        output: 1024,
    };
    let output =
        run(&mut sh("echo $$; sleep 60 & echo $!; wait"), b"", limits).unwrap();
    assert_eq!(output.end, End::TimedOut);
    let text = String::from_utf8(output.stdout).unwrap();
    let pids: Vec<u32> = text.lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(pids.len(), 2, "{text:?}");
    assert!(
        output.took >= Duration::from_millis(500),
        "{:?}",
        output.took
    );
    assert!(output.took < Duration::from_secs(3), "{:?}", output.took);
    for pid in pids {
        assert!(gone(pid), "process {pid} is still running");
    }
}

#[test]
fn run_ends_what_a_program_left_running_when_it_exited() {
    // The shell exits at once; the sleep it started holds standard
    // output open, and would keep a plain read_to_end waiting a minute.
    let limits = Limits {
        time: Duration::from_secs(10),
        output: 1024,
    };
    let output = run(&mut sh("sleep 60 & echo $!"), b"", limits).unwrap();
    assert!(output.success(), "{:?}", output.end);
    let text = String::from_utf8(output.stdout).unwrap();
    let pid: u32 = text.trim().parse().unwrap();
    assert!(output.took < Duration::from_secs(3), "{:?}", output.took);
    assert!(gone(pid), "the sleep it left is still running");
}

#[test]
fn run_stops_a_flood_at_the_limit() {
    let limits = Limits {
        time: Duration::from_secs(10),
        output: 65536,
    };
    let started = Instant::now();
    let output = run(&mut Command::new("yes"), b"", limits).unwrap();
    assert_eq!(output.end, End::Flooded);
    assert_eq!(output.stdout.len(), 65536);
    assert!(output.stdout.starts_with(b"y\ny\n"));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_flood_on_standard_error_counts_too() {
    let limits = Limits {
        time: Duration::from_secs(10),
        output: 4096,
    };
    let output = run(&mut sh("yes >&2"), b"", limits).unwrap();
    assert_eq!(output.end, End::Flooded);
    assert_eq!(output.stderr.len(), 4096);
    assert_eq!(output.stdout, b"");
}

#[test]
fn a_long_running_process_keeps_the_first_bytes_and_counts_the_rest() {
    let process =
        Process::start(&mut sh("yes | head -c 100000"), 1000).unwrap();
    assert!(process.wait_closed(soon(5000)));
    assert_eq!(process.output(Stream::Stdout).len(), 1000);
    assert_eq!(process.dropped(Stream::Stdout), 99_000);
    assert!(process.flooded());
}

#[test]
fn a_program_that_cannot_start_is_an_error() {
    let error = run(
        &mut Command::new("/nonexistent/program"),
        b"",
        Limits::default(),
    )
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound);
}

#[test]
fn a_free_port_can_be_bound() {
    for udp in [true, false] {
        let port = harness::free_port(udp).unwrap();
        assert_ne!(port, 0);
    }
}

/// A Python program that binds port 0 of 127.0.0.1 (a TCP socket then
/// listens if `listen`), prints the port the system gave it, and waits
/// for its input to end. Returns it with that port.
#[cfg(target_os = "linux")]
fn bound_on_port_0(udp: bool, listen: bool) -> Result<(Process, u16), String> {
    let kind = if udp { "SOCK_DGRAM" } else { "SOCK_STREAM" };
    let listen = if listen && !udp { "s.listen()" } else { "pass" };
    let script = format!(
        "import socket, sys\n\
         s = socket.socket(socket.AF_INET, socket.{kind})\n\
         s.bind(('127.0.0.1', 0))\n\
         {listen}\n\
         print(s.getsockname()[1], flush=True)\n\
         sys.stdin.read()\n"
    );
    let mut command = Command::new("python3");
    command.args(["-c", &script]);
    let mut process =
        Process::start(&mut command, 1024).map_err(|e| e.to_string())?;
    let line = process.next_line(Stream::Stdout, soon(10_000));
    let port = line.as_deref().map(str::trim).and_then(|p| p.parse().ok());
    let Some(port) = port else {
        let stderr = process.output(Stream::Stderr);
        let stderr = String::from_utf8_lossy(&stderr);
        return Err(format!("no port: {line:?} {stderr}"));
    };
    Ok((process, port))
}

#[cfg(target_os = "linux")]
#[test]
fn listening_port_reads_the_port_a_program_got_for_port_0() {
    for udp in [false, true] {
        let (process, port) = bound_on_port_0(udp, true).unwrap();
        let found = harness::wait_listening(process.id(), udp, soon(5000));
        assert_eq!(found, Some(port), "udp: {udp}");
        assert_eq!(harness::listening_port(process.id(), udp), Some(port));
        // The other protocol's tables hold none of its sockets.
        assert_eq!(harness::listening_port(process.id(), !udp), None);
    }
}

#[cfg(target_os = "linux")]
#[test]
fn listening_port_finds_a_port_that_a_child_listens_on() {
    // A shell that runs the listening program as its child and waits for
    // it, as strace or a wrapper script does: the shell holds no socket.
    let script = "import socket, sys\n\
                  s = socket.socket()\n\
                  s.bind(('127.0.0.1', 0))\n\
                  s.listen()\n\
                  print(s.getsockname()[1], flush=True)\n\
                  sys.stdin.read()\n";
    let mut command = sh("python3 -c \"$SCRIPT\"; exit 0");
    command.env("SCRIPT", script);
    let mut process = Process::start(&mut command, 1024).unwrap();
    let line = process.next_line(Stream::Stdout, soon(10_000));
    let port: u16 = line.as_deref().unwrap().trim().parse().unwrap();
    let found = harness::wait_listening(process.id(), false, soon(5000));
    assert_eq!(found, Some(port));
}

#[cfg(target_os = "linux")]
#[test]
fn a_tcp_socket_that_does_not_listen_yet_has_no_listening_port() {
    // Bound, not listening: a client would be refused, so it is no port
    // to give one.
    let (process, _) = bound_on_port_0(false, false).unwrap();
    assert_eq!(harness::listening_port(process.id(), false), None);
}

#[cfg(target_os = "linux")]
#[test]
fn wait_listening_ends_at_once_when_the_program_exits() {
    let process = Process::start(&mut sh("exit 3"), 1024).unwrap();
    let started = Instant::now();
    let found = harness::wait_listening(process.id(), false, soon(30_000));
    assert_eq!(found, None);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(harness::wait_listening(u32::MAX, true, soon(30_000)), None);
}

#[cfg(target_os = "linux")]
#[test]
fn wait_listening_ends_at_the_deadline_for_a_program_that_sleeps() {
    // A sleeping program has had its turn: no time past the deadline.
    let process = Process::start(&mut sh("sleep 60"), 1024).unwrap();
    let started = Instant::now();
    let found = harness::wait_listening(process.id(), false, soon(300));
    assert_eq!(found, None);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(290), "{waited:?}");
    assert!(waited < Duration::from_secs(5), "{waited:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_runnable_program_is_starting_and_a_sleeping_one_is_not() {
    // A shell in a busy loop is runnable.
    let busy = Process::start(&mut sh("while :; do :; done"), 1024).unwrap();
    thread::sleep(Duration::from_millis(100));
    assert!(harness::starting(busy.id()));
    drop(busy);
    let sleeper = Process::start(&mut sh("sleep 5"), 1024).unwrap();
    let deadline = soon(2000);
    // Once it sleeps it has had its turn (give it its first moments).
    let mut asleep = false;
    while !asleep && Instant::now() < deadline {
        asleep = !harness::starting(sleeper.id());
        thread::sleep(Duration::from_millis(20));
    }
    assert!(asleep);
    assert!(!harness::starting(u32::MAX));
}

#[test]
fn strace_calls_reads_a_summary_and_leaves_out_failed_accepts() {
    let summary = "\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ------------------
 30.34    0.003078          27       112        12 accept4
 19.56    0.001984           9       200           recvfrom
  0.00    0.000000           0         1         1 access
------ ----------- ----------- --------- --------- ------------------
100.00    0.005062                   313        13 total
";
    let calls = harness::strace_calls(summary);
    let expected: Vec<(String, u64)> = vec![
        ("accept4".into(), 100),
        ("access".into(), 1),
        ("recvfrom".into(), 200),
    ];
    assert_eq!(calls.into_iter().collect::<Vec<_>>(), expected);
}
