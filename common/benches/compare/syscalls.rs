//! System calls per TCP connection, for each server, counted with
//! `strace -f -c` where it is installed (full run only): the bare loop,
//! the Python listing, the lecture's Rust listing and the program, each
//! serving two clients: one that half-closes after its sentence (the
//! bench's own, as tcp-client does it) and one that closes after reading
//! the reply (as tcp_client.py does it).
//!
//! Each server runs twice under strace for each client, for 10 connections
//! and for 210; the difference, divided by 200, leaves out starting and
//! stopping.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use crate::procs::{self, Programs, Server};
use crate::report::Report;
use crate::table::Table;
use crate::{WAITS, bare, load};

/// The connections of the two runs.
const RUNS: [u64; 2] = [10, 210];

/// tcp-server's budget per connection in the common case: 5, as many as
/// the Python listing makes.
const BUDGET: f64 = 5.0;

/// How a server is told where to listen.
#[derive(Clone, Copy)]
enum Start {
    /// `--host 127.0.0.1 --port 0`, the port read back from its log.
    Rust,
    /// `127.0.0.1 PORT`, as the Python listing and the lecture's take it.
    HostPort,
    /// `PORT`, as the bare loop takes it.
    Port,
}

/// How the client ends its side, the one thing about a client that changes
/// what a server does to close.
#[derive(Clone, Copy, PartialEq)]
enum Client {
    /// Sends, half-closes, reads the reply until the server closes: the
    /// bench's own client, as tcp-client does it.
    HalfCloses,
    /// Sends, reads the reply, closes: as tcp_client.py does it.
    ClosesAfterReply,
}

impl Client {
    fn label(self) -> &'static str {
        match self {
            Client::HalfCloses => "half-closes (tcp-client, the bench's)",
            Client::ClosesAfterReply => "closes after the reply (Python's)",
        }
    }
}

pub fn per_connection(programs: &Programs, report: &mut Report) {
    let mut table = Table::new(&[
        "server",
        "client",
        "calls per connection",
        "on its socket",
        "the calls",
    ]);
    let mut concurrent = programs.rust_server("tcp-server");
    concurrent.arg("--concurrent");
    let servers = [
        ("bare", programs.bare_server(bare::TCP), Start::Port),
        (WAITS, programs.bare_server(bare::TCP_WAITS), Start::Port),
        (
            "tcp_server.py",
            programs.python_server("tcp_server.py"),
            Start::HostPort,
        ),
        (
            "examples/tcp_server.rs",
            programs.lecture_server("tcp_server"),
            Start::HostPort,
        ),
        (
            "tcp-server",
            programs.rust_server("tcp-server"),
            Start::Rust,
        ),
        ("tcp-server --concurrent", concurrent, Start::Rust),
    ];
    let installed = cfg!(target_os = "linux") && strace_installed();
    let mut ours: Option<f64> = None;
    let clients = [Client::HalfCloses, Client::ClosesAfterReply];
    for (label, command, start) in servers {
        if !installed {
            let why = "not measured (strace not installed)";
            table.row(vec![label.into(), String::new(), why.into()]);
            continue;
        }
        for client in clients {
            let row = |cells: Vec<String>| {
                [vec![label.to_string(), client.label().into()], cells].concat()
            };
            match count(&command, start, client) {
                Ok(calls) => {
                    let all: f64 = calls.values().sum();
                    let socket: f64 = calls
                        .iter()
                        .filter(|(name, _)| {
                            harness::SOCKET_CALLS.contains(&name.as_str())
                        })
                        .map(|(_, n)| n)
                        .sum();
                    let list: Vec<String> = calls
                        .iter()
                        .map(|(name, n)| format!("{name} {}", round(*n)))
                        .collect();
                    table.row(row(vec![
                        round(all),
                        round(socket),
                        list.join(", "),
                    ]));
                    if label == "tcp-server" {
                        ours = Some(ours.map_or(all, |most| most.max(all)));
                    }
                }
                Err(error) => {
                    table.row(row(vec![format!("error: {error}")]));
                    report.error_row("system calls", label, &error);
                }
            }
        }
    }
    report.calls = Some(table);
    report.target(
        "tcp-server makes at most 5 system calls per connection",
        ours.map(|calls| {
            let measured = format!(
                "Per connection, with a client that half-closes and with \
                 one that closes after the reply, tcp-server makes at most \
                 {calls:.2} system calls (strace -f -c)"
            );
            (measured, calls <= BUDGET, format!("{} calls", round(calls)))
        }),
    );
}

/// 5 -> "5", 5.35 -> "5.35".
fn round(calls: f64) -> String {
    let text = format!("{calls:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn strace_installed() -> bool {
    let mut command = Command::new("strace");
    command.arg("-V");
    procs::run_to_end(command, b"", Duration::from_secs(10)).is_ok()
}

/// Calls per connection: the two runs' difference over 200 connections,
/// leaving out calls made less than once in 20 connections.
fn count(
    command: &Command,
    start: Start,
    client: Client,
) -> Result<BTreeMap<String, f64>, String> {
    let mut runs = Vec::new();
    for connections in RUNS {
        runs.push(run(command, start, client, connections)?);
    }
    let (few, many) = (&runs[0], &runs[1]);
    let connections = (RUNS[1] - RUNS[0]) as f64;
    Ok(many
        .iter()
        .map(|(name, &calls)| {
            let before = few.get(name).copied().unwrap_or(0);
            (
                name.clone(),
                calls.saturating_sub(before) as f64 / connections,
            )
        })
        .filter(|(_, calls)| *calls >= 0.05)
        .collect())
}

/// One run under strace: `connections` exchanges, each checked, then the
/// server is stopped and strace's summary read.
fn run(
    command: &Command,
    start: Start,
    client: Client,
    connections: u64,
) -> Result<BTreeMap<String, u64>, String> {
    let summary = std::env::temp_dir().join(format!(
        "compare-strace-{}-{connections}.txt",
        std::process::id()
    ));
    let traced = traced(command, &summary);
    let mut server = match start {
        Start::Rust => Server::rust(traced),
        Start::HostPort => Server::python(traced, false),
        Start::Port => Server::bare(traced, false),
    }?;
    let timeout = Duration::from_secs(2);
    for seq in 0..connections {
        let request = load::sentence(0, seq);
        let reply = match client {
            Client::HalfCloses => {
                load::exchange(server.address, &request, timeout)
            }
            Client::ClosesAfterReply => {
                read_once(server.address, &request, timeout)
            }
        };
        let reply = reply.map_err(|e| format!("exchange {seq}: {e}"))?;
        if reply != request.to_ascii_uppercase() {
            return Err(format!("exchange {seq}: wrong reply"));
        }
    }
    // The server closes a connection a moment after the client has its
    // reply; then strace gets its summary when the server ends.
    thread::sleep(Duration::from_millis(100));
    stop_traced(&mut server)?;
    let text = std::fs::read_to_string(&summary)
        .map_err(|e| format!("cannot read strace's summary: {e}"));
    let _ = std::fs::remove_file(&summary);
    Ok(harness::strace_calls(&text?))
}

/// connect, send, read until the reply is as long as the request, close:
/// the Python client's way (no half-close), within `timeout` for each
/// wait. The request is ASCII, so its reply has its length.
fn read_once(
    server: SocketAddr,
    request: &[u8],
    timeout: Duration,
) -> io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect_timeout(&server, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.write_all(request)?;
    let mut reply = vec![0; request.len()];
    stream.read_exact(&mut reply)?;
    Ok(reply)
}

/// `strace -f -c -o SUMMARY -- COMMAND`: every thread and child of the
/// command, its calls counted into `summary`.
fn traced(command: &Command, summary: &Path) -> Command {
    let mut traced = Command::new("strace");
    traced.args(["-f", "-c", "-o"]).arg(summary).arg("--");
    traced.arg(command.get_program()).args(command.get_args());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => traced.env(key, value),
            None => traced.env_remove(key),
        };
    }
    traced
}

/// Kills the program strace runs (strace's child), and waits for strace
/// to write its summary and exit.
fn stop_traced(server: &mut Server) -> Result<(), String> {
    let strace = server.pid();
    let children =
        PathBuf::from(format!("/proc/{strace}/task/{strace}/children"));
    let child = std::fs::read_to_string(&children)
        .map_err(|e| format!("cannot read {}: {e}", children.display()))?;
    let mut kill = Command::new("kill");
    kill.args(["-KILL", child.trim()]);
    procs::run_to_end(kill, b"", Duration::from_secs(10))?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.exited().is_none() {
        if Instant::now() > deadline {
            return Err("strace did not exit".into());
        }
        thread::sleep(Duration::from_millis(10));
    }
    Ok(())
}
