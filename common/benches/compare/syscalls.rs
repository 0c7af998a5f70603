//! System calls per TCP connection, for each server, counted with
//! `strace -f -c` where it is installed (full run only): the bare loop,
//! the Python listing, the lecture's Rust listing and the program, each
//! serving the bench's own client.
//!
//! Each server runs twice under strace, for 10 connections and for 210;
//! the difference, divided by 200, leaves out starting and stopping.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use crate::load;
use crate::procs::{self, Programs, Server};
use crate::report::Report;
use crate::table::Table;

/// The connections of the two runs.
const RUNS: [u64; 2] = [10, 210];

/// The calls a server makes on its sockets; the rest of what
/// `--concurrent` adds (clone3, mmap, futex, ...) is its thread's.
const SOCKET_CALLS: &[&str] = &[
    "accept",
    "accept4",
    "read",
    "recvfrom",
    "recvmsg",
    "write",
    "sendto",
    "sendmsg",
    "writev",
    "setsockopt",
    "getsockopt",
    "shutdown",
    "close",
    "fcntl",
    "ioctl",
    "poll",
    "ppoll",
    "getsockname",
    "getpeername",
];

/// tcp-server's budget per connection in the common case: 5. Now and
/// then the client's FIN comes a moment after the server looks for it, and
/// that connection takes the slow way, 3 calls more: one in 30 may.
const BUDGET: f64 = 5.1;

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

pub fn per_connection(programs: &Programs, report: &mut Report) {
    let mut table = Table::new(&[
        "server",
        "calls per connection",
        "on its socket",
        "the calls",
    ]);
    let mut concurrent = programs.rust_server("tcp-server");
    concurrent.arg("--concurrent");
    let servers = [
        ("bare", programs.bare_server(false), Start::Port),
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
    let mut ours = None;
    for (label, command, start) in servers {
        if !installed {
            let why = "not measured (strace not installed)";
            table.row(vec![label.into(), why.into()]);
            continue;
        }
        match count(&command, start) {
            Ok(calls) => {
                let all: f64 = calls.values().sum();
                let socket: f64 = calls
                    .iter()
                    .filter(|(name, _)| SOCKET_CALLS.contains(&name.as_str()))
                    .map(|(_, n)| n)
                    .sum();
                let list: Vec<String> = calls
                    .iter()
                    .map(|(name, n)| format!("{name} {}", round(*n)))
                    .collect();
                table.row(vec![
                    label.into(),
                    round(all),
                    round(socket),
                    list.join(", "),
                ]);
                if label == "tcp-server" {
                    ours = Some(all);
                }
            }
            Err(error) => {
                table.row(vec![label.into(), format!("error: {error}")]);
                report.error_row("system calls", label, &error);
            }
        }
    }
    report.calls = Some(table);
    report.target(
        "tcp-server makes at most 5 system calls per connection",
        ours.map(|calls| {
            let measured = format!(
                "Per connection of the bench's client, tcp-server makes \
                 {calls:.2} system calls (strace -f -c; 5.1 allows one \
                 connection in 30 the slow way)"
            );
            (measured, calls <= BUDGET)
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
) -> Result<BTreeMap<String, f64>, String> {
    let mut runs = Vec::new();
    for connections in RUNS {
        runs.push(run(command, start, connections)?);
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
        let reply = load::exchange(server.address, &request, timeout)
            .map_err(|e| format!("exchange {seq}: {e}"))?;
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
    Ok(parse(&text?))
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

/// strace -c's table: "% time  seconds  usecs/call  calls  errors
/// syscall", the errors column sometimes blank.
fn parse(text: &str) -> BTreeMap<String, u64> {
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let name = fields.last()?;
            let calls = fields.get(3)?.parse().ok()?;
            (*name != "total").then(|| (name.to_string(), calls))
        })
        .collect()
}
