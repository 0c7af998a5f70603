//! Helpers for the integration tests of the four programs: find and start
//! the binaries and the Python originals on loopback ports the system
//! picks, feed a client its standard input, and stop every process a test
//! started.
//!
//! Each test crate includes this file with
//! `#[path = "../../common/tests/support/mod.rs"] mod support;`.
//! Every wait here has a deadline, so a broken program fails a test
//! instead of hanging it.
// Test code: a panic here is a failed test, with its message.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

/// How long anything in a test may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// The workspace's root folder.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crates sit in the workspace folder")
        .to_path_buf()
}

/// A Python original in `docs/python/`.
pub fn python(script: &str) -> PathBuf {
    workspace().join("docs/python").join(script)
}

/// The path of one of the workspace's four binaries, built if needed.
///
/// Cargo builds only a crate's own binary for its integration tests, so
/// a test that needs another crate's program (the udp-server tests run
/// udp-client) asks cargo to build it, once per test run. Cargo does not
/// hold its lock while tests run, and it does nothing when the binary is
/// already up to date.
pub fn binary(name: &str) -> PathBuf {
    build_once(name, ["--bin", name]);
    target_dir().join(name)
}

/// The path of a crate's example (the lecture listings: `udp-server`'s
/// `udp_server`), built if needed, once per test run, as [`binary`]
/// builds the programs.
pub fn example(package: &str, name: &str) -> PathBuf {
    build_once(package, ["--example", name]);
    target_dir().join("examples").join(name)
}

/// `target/<profile>`, where cargo puts the programs the tests run.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/debug/deps/<test> -> target/debug
    exe.parent()
        .and_then(Path::parent)
        .expect("test executable sits in target/<profile>/deps")
        .to_path_buf()
}

/// `cargo build -p package --bin|--example NAME`, once per test run.
fn build_once(package: &str, what: [&str; 2]) {
    static BUILT: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    let key = format!("{package} {}", what.join(" "));
    if built.contains(&key) {
        return;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(["build", "--quiet", "-p", package])
        .args(what)
        .current_dir(workspace())
        .stdin(Stdio::null());
    if target_dir().file_name().is_some_and(|d| d == "release") {
        command.arg("--release");
    }
    let status = start(&mut command).wait().expect("wait for cargo build");
    assert!(status.success(), "cargo build {key} failed");
    built.push(key);
}

/// A loopback port that nobody listens on now: bind port 0, read the
/// port, let it go. For the tests of a client with no server (refused,
/// or never answered), and, where there is no /proc, for the servers that
/// do not print their port ([`port_to_ask`]).
pub fn free_port(udp: bool) -> u16 {
    harness::free_port(udp).unwrap()
}

/// The port to give a server that takes a port number but does not print
/// the port it got (the Python originals and the lecture listings take
/// `HOST PORT`). On Linux 0: the system gives the server a free port as it
/// binds, so no other program can take that port first, and
/// [`listened_port`] reads it from /proc. Elsewhere, with no /proc, a
/// port that is free now ([`free_port`]): another program may take it
/// before the server binds it, which on a test machine is rare.
pub fn port_to_ask(udp: bool) -> u16 {
    if cfg!(target_os = "linux") {
        0
    } else {
        free_port(udp)
    }
}

/// The port that `child`, started with `asked` from [`port_to_ask`],
/// listens on: for 0, the port /proc shows, waited for until the deadline
/// (and longer while the program is still starting on a busy machine, see
/// `harness::wait_listening`). `None` if it never listened: it exited, or
/// sleeps without a socket.
pub fn listened_port(child: &Child, udp: bool, asked: u16) -> Option<u16> {
    if asked != 0 {
        return Some(asked);
    }
    harness::wait_listening(child.id(), udp, Instant::now() + DEADLINE)
}

/// A running server process, killed when dropped.
pub struct Server {
    pub child: Child,
    /// Where it listens, as a loopback address clients can use.
    pub address: SocketAddr,
    /// Standard error lines (the Rust servers' log), as they come.
    stderr: Option<Receiver<String>>,
    /// Everything collected from `stderr` so far.
    pub log: Vec<String>,
    /// Standard output lines, as they come.
    stdout: Receiver<String>,
}

impl Server {
    /// Starts a Rust server (`udp-server` or `tcp-server`) on a free port
    /// of 127.0.0.1, with extra arguments and environment, and waits until
    /// it is ready.
    pub fn rust(name: &str, args: &[&str], env: &[(&str, &str)]) -> Server {
        Server::rust_on("127.0.0.1", name, args, env)
    }

    /// Like [`Server::rust`], bound to `host` (`::1`, `::`, `0.0.0.0`).
    pub fn rust_on(
        host: &str,
        name: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Server {
        let mut command = Command::new(binary(name));
        command.args(["--host", host, "--port", "0"]).args(args);
        for (key, value) in env {
            command.env(key, value);
        }
        if !env.iter().any(|(key, _)| *key == "RUST_LOG") {
            command.env("RUST_LOG", "info");
        }
        let (child, stdout, stderr) = spawn(command);
        let mut server = Server {
            child,
            address: "0.0.0.0:0".parse().unwrap(),
            stderr: Some(stderr),
            log: Vec::new(),
            stdout,
        };
        // The log's first line says where it listens: "listening on ADDR".
        let line = server.wait_for_log("listening on ");
        let bound: SocketAddr = line
            .split("listening on ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|address| address.parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        server.address = loopback(bound);
        server.wait_ready();
        server
    }

    /// Starts a Python original (`udp_server.py` or `tcp_server.py`) on a
    /// port of 127.0.0.1 and waits until it is ready.
    pub fn python(script: &str) -> Server {
        let mut command = Command::new("python3");
        command.arg("-u").arg(python(script));
        Server::host_port(command, script, script.starts_with("udp"))
    }

    /// Starts `command` with HOST PORT arguments (as the Python originals
    /// and the lecture listings take them) for 127.0.0.1 and the port of
    /// [`port_to_ask`], and waits until it listens and is ready. `what`
    /// names it when it fails.
    fn host_port(mut command: Command, what: &str, udp: bool) -> Server {
        let asked = port_to_ask(udp);
        command.args(["127.0.0.1", &asked.to_string()]);
        let (child, stdout, stderr) = spawn(command);
        let mut server = Server {
            child,
            address: SocketAddr::from(([127, 0, 0, 1], asked)),
            stderr: Some(stderr),
            log: Vec::new(),
            stdout,
        };
        match listened_port(&server.child, udp, asked) {
            Some(port) => server.address.set_port(port),
            None => server.never_listened(what),
        }
        server.wait_ready();
        server
    }

    /// Fails the test for a server that never listened, with how it
    /// ended, if it did, and what it printed on standard error.
    fn never_listened(&mut self, what: &str) -> ! {
        let ended = match self.child.try_wait() {
            Ok(Some(status)) => format!("it exited, {status}"),
            _ => "it is still running".to_string(),
        };
        let log = self.log_so_far();
        panic!("{what} never listened on a port ({ended}); its stderr: {log:?}")
    }

    /// Waits for the line that every server prints once it is bound.
    fn wait_ready(&mut self) {
        let line = self
            .stdout
            .recv_timeout(DEADLINE)
            .unwrap_or_else(|e| panic!("server not ready ({e:?})"));
        assert_eq!(line, "The server is ready to receive\n");
    }

    /// Waits for a log line that contains `needle`, and returns it.
    pub fn wait_for_log(&mut self, needle: &str) -> String {
        let stderr = self.stderr.as_ref().expect("stderr is captured");
        let deadline = Instant::now() + DEADLINE;
        if let Some(line) = self.log.iter().find(|l| l.contains(needle)) {
            return line.clone();
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match stderr.recv_timeout(left) {
                Ok(line) => {
                    self.log.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no log line with {needle:?}; log so far: {:#?}",
                    self.log
                ),
            }
        }
    }

    /// Everything the server logged so far (waits briefly for more).
    pub fn log_so_far(&mut self) -> String {
        if let Some(stderr) = &self.stderr {
            while let Ok(line) = stderr.recv_timeout(Duration::from_millis(200))
            {
                self.log.push(line);
            }
        }
        self.log.concat()
    }

    /// True while the process has not exited.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a finished client printed.
#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Output {
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// Runs a client to the end with `stdin` as its standard input: a Rust
/// binary by name (`udp-client`) or a Python original (`udp_client.py`).
/// Kills it and fails the test if it runs past the deadline.
pub fn run_client<S: AsRef<std::ffi::OsStr>>(
    client: &str,
    args: &[S],
    env: &[(&str, &str)],
    stdin: &[u8],
) -> Output {
    let mut command = if client.ends_with(".py") {
        let mut command = Command::new("python3");
        command.arg(python(client));
        command
    } else {
        Command::new(binary(client))
    };
    command.args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    run(command, stdin)
}

/// The arguments that point a client at `address`: `--host H --port P`
/// for Rust, `H P` for Python, then `more`.
pub fn target(client: &str, address: SocketAddr, more: &[&str]) -> Vec<String> {
    let host = address.ip().to_string();
    let port = address.port().to_string();
    let mut args = if client.ends_with(".py") {
        vec![host, port]
    } else {
        vec!["--host".into(), host, "--port".into(), port]
    };
    args.extend(more.iter().map(|arg| arg.to_string()));
    args
}

/// Runs a command to the end with `stdin`, under the deadline.
pub fn run(mut command: Command, stdin: &[u8]) -> Output {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = start(&mut command);
    let mut input = child.stdin.take().expect("stdin is piped");
    let stdin = stdin.to_vec();
    // Write from a thread: a program that does not read must not block us.
    let writer = thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let stdout = read_all(child.stdout.take().expect("stdout is piped"));
    let stderr = read_all(child.stderr.take().expect("stderr is piped"));
    let deadline = Instant::now() + DEADLINE;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the program") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} still running after {DEADLINE:?}");
        }
        thread::sleep(Duration::from_millis(5));
    };
    let _ = writer.join();
    let stdout = stdout.recv_timeout(DEADLINE).unwrap_or_default();
    let stderr = stderr.recv_timeout(DEADLINE).unwrap_or_default();
    Output {
        status,
        stdout,
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Starts a server (`udp-server` or `tcp-server`) on a port that is
/// already taken, and checks that it fails as it should: nothing on
/// standard output, one line on standard error that names the address,
/// the causes, how to tell them apart and what to do, exit status 1.
pub fn assert_port_in_use(server: &str, port: u16) {
    let output = run_client(
        server,
        &["--host", "127.0.0.1", "--port", &port.to_string()],
        &[],
        b"",
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(output.stdout, b"");
    // The system's own words for the error, "Address already in use (os
    // error 98)" on Linux: binding the taken port once more gives them.
    let tcp = server.starts_with("tcp");
    let taken = if tcp {
        TcpListener::bind(("127.0.0.1", port)).map(drop)
    } else {
        UdpSocket::bind(("127.0.0.1", port)).map(drop)
    };
    let error = taken.expect_err("the port is taken");
    let start = format!("Error: cannot bind 127.0.0.1:{port}: {error}; ");
    let hint = if tcp {
        format!(
            "either another server is using this port, or a connection \
             closed moments ago still holds it (TIME-WAIT, about a minute): \
             `ss -tan sport = :{port}` shows LISTEN for a server, TIME-WAIT \
             for a closed connection; stop that server, wait a minute, or \
             pick another --port\n"
        )
    } else {
        format!(
            "another program is using this UDP port (`ss -uan sport = \
             :{port}` shows it); stop it, or pick another --port\n"
        )
    };
    if cfg!(target_os = "linux") {
        assert_eq!(output.stderr, format!("{start}{hint}"));
    } else {
        // Elsewhere the hint names netstat instead of ss.
        assert!(output.stderr.starts_with(&start), "{}", output.stderr);
        assert!(output.stderr.ends_with("--port\n"), "{}", output.stderr);
        assert_eq!(output.stderr.lines().count(), 1, "{}", output.stderr);
    }
}

/// Runs a program with arguments it must refuse, and checks that clap
/// refused them: nothing on standard output, an error with a pointer to
/// `--help` on standard error, exit status 2.
pub fn assert_usage_error(program: &str, args: &[&str]) {
    let output = run_client(program, args, &[], b"");
    assert_eq!(output.status.code(), Some(2), "{program} {args:?}");
    assert!(output.stderr.starts_with("error: "), "{}", output.stderr);
    assert!(output.stderr.contains("--help"), "{}", output.stderr);
    assert_eq!(output.stdout, b"", "{program} {args:?}");
}

/// A client address for a server bound to `address`: an unspecified
/// address (0.0.0.0, ::) becomes the loopback address of its family.
pub fn loopback(address: SocketAddr) -> SocketAddr {
    let mut address = address;
    if address.ip().is_unspecified() {
        address.set_ip(match address {
            SocketAddr::V4(_) => [127, 0, 0, 1].into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    address
}

/// Is IPv6 loopback usable on this machine? (Some containers lack it.)
pub fn ipv6_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| UdpSocket::bind("[::1]:0").is_ok())
}

fn spawn(mut command: Command) -> (Child, Receiver<String>, Receiver<String>) {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = start(&mut command);
    let stdout = lines(child.stdout.take().expect("stdout is piped"));
    let stderr = lines(child.stderr.take().expect("stderr is piped"));
    (child, stdout, stderr)
}

/// What to install for each outside program the tests start.
const TOOLS: &[(&str, &str)] = &[
    (
        "python3",
        "install Python 3 (Debian/Ubuntu: apt install python3; macOS: \
         brew install python)",
    ),
    (
        "ss",
        "install iproute2 (Debian/Ubuntu: apt install iproute2; ss exists \
         on Linux only)",
    ),
    (
        "prlimit",
        "install util-linux (Debian/Ubuntu: apt install util-linux; \
         prlimit exists on Linux only)",
    ),
];

/// Starts `command`, which may be any program. One that cannot start
/// fails the test with one line that says why (see [`cannot_start`]).
pub fn start(command: &mut Command) -> Child {
    match command.spawn() {
        Ok(child) => child,
        Err(error) => panic!("{}", cannot_start(command.get_program(), &error)),
    }
}

/// Why `program` did not start, in one line: for a tool looked up on the
/// PATH, `python3 is not installed: install Python 3 (...)`, not
/// `Os { code: 2, kind: NotFound }`.
pub fn cannot_start(program: &std::ffi::OsStr, error: &io::Error) -> String {
    let name = program.to_string_lossy();
    let on_path = !name.contains(std::path::is_separator);
    if error.kind() == io::ErrorKind::NotFound && on_path {
        let install = TOOLS
            .iter()
            .find(|(tool, _)| *tool == name)
            .map_or("install it, or add its folder to PATH", |(_, how)| how);
        format!("{name} is not installed: {install}")
    } else {
        format!("cannot start {name}: {error}")
    }
}

/// Reads lines (with their `\n`) on a thread and hands them over.
fn lines(stream: impl Read + Send + 'static) -> Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if sender.send(line).is_err() {
                        break;
                    }
                }
            }
        }
    });
    receiver
}

/// Reads a whole stream on a thread and hands it over at its end.
fn read_all(mut stream: impl Read + Send + 'static) -> Receiver<Vec<u8>> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let mut all = Vec::new();
        let _ = stream.read_to_end(&mut all);
        let _ = sender.send(all);
    });
    receiver
}

impl Server {
    /// Starts an example server (`udp-server`'s `udp_server`) on a port
    /// of 127.0.0.1 and waits until it is ready. Like the Python originals
    /// it takes HOST PORT and does not print the port it bound.
    pub fn example(package: &str, name: &str) -> Server {
        let command = Command::new(example(package, name));
        let what = format!("{package}'s example {name}");
        Server::host_port(command, &what, name.starts_with("udp"))
    }

    /// Waits, under the deadline, for the server to exit by itself.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "server still running");
            thread::sleep(Duration::from_millis(5));
        }
    }
}

/// Runs an example client (`udp-client`'s `udp_client`) to the end with
/// `args` (HOST PORT, as the Python clients take them) and `stdin`.
pub fn run_example(
    package: &str,
    name: &str,
    args: &[String],
    stdin: &[u8],
) -> Output {
    let mut command = Command::new(example(package, name));
    command.args(args);
    run(command, stdin)
}

/// An output for a child process whose reader has gone, as `server |
/// head -c0` leaves it once `head` exits: every write fails with "Broken
/// pipe". A socket pair stands in for the pipe (std has no pipe before
/// Rust 1.87): a write to a socket whose peer has closed fails the same
/// way, with `EPIPE`.
#[cfg(unix)]
pub fn closed_pipe() -> Stdio {
    let (reader, writer) = std::os::unix::net::UnixStream::pair().unwrap();
    drop(reader);
    Stdio::from(std::os::fd::OwnedFd::from(writer))
}

/// Lines (with their `\n`) of a child's output, as they come, read on a
/// thread.
pub fn line_by_line(stream: impl Read + Send + 'static) -> Receiver<String> {
    lines(stream)
}

impl Server {
    /// The log lines that arrive within `time`, at most `most` of them: a
    /// bounded look at a log that may be flooding.
    pub fn log_during(&mut self, time: Duration, most: usize) -> Vec<String> {
        let stderr = self.stderr.as_ref().expect("stderr is captured");
        let deadline = Instant::now() + time;
        let mut lines = Vec::new();
        while lines.len() < most {
            let left = deadline.saturating_duration_since(Instant::now());
            match stderr.recv_timeout(left) {
                Ok(line) => lines.push(line),
                Err(_) => break,
            }
        }
        self.log.extend(lines.iter().cloned());
        lines
    }
}

/// How many events a rate-limited log reports: each line containing
/// `needle` is one, plus the `(N more like it not logged)` it may end
/// with. Also returns how many such lines there were.
pub fn rate_limited_count(log: &str, needle: &str) -> (usize, usize) {
    let lines: Vec<&str> =
        log.lines().filter(|line| line.contains(needle)).collect();
    let counted = lines
        .iter()
        .map(|line| {
            1 + line
                .rsplit_once(" (")
                .and_then(|(_, end)| {
                    end.strip_suffix(" more like it not logged)")
                })
                .map_or(0, |n| n.parse::<usize>().unwrap())
        })
        .sum();
    (counted, lines.len())
}

/// A read that ran out of time: Linux says WouldBlock, others TimedOut.
pub fn timed_out<T>(result: &io::Result<T>) -> bool {
    matches!(
        result,
        Err(e) if matches!(
            e.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        )
    )
}
