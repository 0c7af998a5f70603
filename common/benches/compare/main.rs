//! What does the Rust port buy over the lecture's Python programs? This
//! bench answers with measurements, on loopback (127.0.0.1) only:
//!
//! ```text
//! cargo bench -p common --bench compare     # full run, about 2 minutes
//! cargo test -p common --bench compare      # quick run, a second or two
//! ```
//!
//! It starts each server (the Rust programs as shipped, the Python
//! originals, and a bare baseline that makes the same socket calls and
//! nothing else), drives the same closed-loop load at it from threads in
//! this process, checks every reply byte for byte, and reads the server's
//! CPU time, memory and descriptors from /proc. Then it times the clients
//! as whole processes and the upper-case transform alone, and prints one
//! table, with ratios, then each of the team's goals in a sentence: what
//! was measured, the two numbers compared, and their ratio.
//!
//! The full run pins its client threads to one CPU and the servers to
//! another, as two machines would be; then, for the CPU time per request,
//! it runs client and server on one CPU (see `run` for why).
//!
//! `cargo bench` passes `--bench`: the full run. Without it (as under
//! `cargo test`) the quick run checks correctness only, with tiny loads,
//! and asserts no timing; it prints three short lines, no table, and exits with an
//! error on any wrong or missing reply. See docs/en/benchmarks.md for a
//! run and how to read it.

mod bare; // the bare baseline servers
mod clients; // the clients timed as whole processes
mod load; // closed-loop load from client threads, every reply checked
mod procs; // starting, pinning and stopping programs; /proc readings
mod report; // the rows of the table, the targets
mod syscalls; // system calls per TCP connection, counted by strace
mod table; // the Markdown table and number formats
mod transform; // common::to_upper against Python's str.upper()

use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use load::{Limits, Outcome, Protocol};
use procs::{Programs, Server, Usage};
use report::{Compare, Line, Report};
use table::{duration, thousands};

/// How much of everything a run does.
struct Settings {
    full: bool,
    /// The two client counts of each load phase.
    clients: [usize; 2],
    /// Each load phase, per client thread.
    phase: Limits,
    /// Each phase with client and server on one CPU.
    one_cpu_phase: Limits,
    /// Each phase is split into this many rounds, taken in turns by the
    /// servers compared.
    rounds: u32,
    /// Requests sent before measuring, so that first-use costs (lazy
    /// allocations, page faults) are not counted as per-request costs.
    warmup: u64,
    /// Exchanges of the fast client among idle ones.
    fast: u64,
    /// How long the fast client waits before we call it blocked.
    blocked: Duration,
    /// Runs of each client program (after one unmeasured run).
    client_runs: usize,
    /// Size of the text for the transform alone, and time for each rate.
    transform_bytes: usize,
    transform_time: Duration,
}

/// `cargo bench`: about 2 minutes on 2 cores (116 s on 2026-12-06).
const FULL: Settings = Settings {
    full: true,
    clients: [1, 4],
    phase: Limits {
        time: Duration::from_millis(2500),
        count: 1_000_000,
        timeout: Duration::from_secs(2),
    },
    one_cpu_phase: Limits {
        time: Duration::from_secs(2),
        count: 1_000_000,
        timeout: Duration::from_secs(2),
    },
    rounds: 5,
    warmup: 200,
    fast: 200,
    blocked: Duration::from_secs(1),
    client_runs: 30,
    transform_bytes: 64 << 10,
    transform_time: Duration::from_millis(400),
};

/// `cargo test`: correctness only. Two clients, not four: listen(1)
/// queues at most two unaccepted connections, so a third or fourth
/// client's connection request can be dropped and retried a second
/// later. That is a finding of the full run, not a failure.
const QUICK: Settings = Settings {
    full: false,
    clients: [1, 2],
    phase: QUICK_PHASE,
    one_cpu_phase: QUICK_PHASE,
    rounds: 1,
    warmup: 5,
    fast: 10,
    blocked: Duration::from_millis(300),
    client_runs: 1,
    transform_bytes: 16 << 10,
    transform_time: Duration::from_millis(5),
};

const QUICK_PHASE: Limits = Limits {
    time: Duration::from_millis(500),
    count: 20,
    timeout: Duration::from_secs(1),
};

/// Below this many clock ticks of CPU time (10 ms each, usually), a CPU
/// time per request would be mostly rounding: it is not shown.
const MIN_TICKS: u64 = 10;

/// Idle clients in the slow-client test.
const IDLE: usize = 4;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    // The bare baseline servers are this same executable, started again.
    if let Some(code) = bare::run_if_asked(&args) {
        return code;
    }
    let settings = if args.iter().any(|arg| arg == "--bench") {
        &FULL
    } else {
        &QUICK
    };
    let started = Instant::now();
    let report = match run(settings) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("compare: {error}");
            return ExitCode::FAILURE;
        }
    };
    let printed = report.print(settings, started.elapsed());
    if report.failed(settings) || !printed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn run(settings: &Settings) -> Result<Report, String> {
    let mut programs = Programs::find(settings.full)?;
    let mut report = Report::new(procs::clock_ticks());
    let flags = tcp_server_flags(&programs);
    // Timings only in the full run: the quick one does not pin.
    let pinned = if settings.full { procs::pin() } else { None };
    if let Some((bench, servers)) = pinned {
        report.placement = format!(
            "clients on CPU {bench}, servers on CPU {servers} \
             (\"1 CPU\" rows: both on CPU {bench})"
        );
    }

    // Clients and servers on two CPUs, as on two machines: what a user
    // of the server sees, in rate and latency.
    programs.server_cpu = pinned.map(|(_, servers)| servers);
    let apart = |test: &str| Section {
        test: test.into(),
        clients: &settings.clients,
        phase: settings.phase,
        targets: false,
    };
    let (udp, tcp) = (udp_subjects(), tcp_subjects(&flags));
    compare_servers(&programs, settings, &udp, &apart("UDP"), &mut report);
    compare_servers(&programs, settings, &tcp, &apart("TCP"), &mut report);
    idle_clients(&programs, settings, &flags, &mut report);
    clients::client_processes(&programs, settings, &mut report);

    // Client and server on one CPU, one client: they take turns, and the
    // CPU never waits idle, so what the server spends per request is its
    // own work (its system calls, the transform, its logging), without
    // the cost of waking an idle CPU. The targets are judged here.
    programs.server_cpu = pinned.map(|(bench, _)| bench);
    let one_cpu = |test: &str| Section {
        test: test.into(),
        clients: &[1],
        phase: settings.one_cpu_phase,
        targets: true,
    };
    compare_servers(
        &programs,
        settings,
        &udp,
        &one_cpu("UDP 1 CPU"),
        &mut report,
    );
    compare_servers(
        &programs,
        settings,
        &tcp,
        &one_cpu("TCP 1 CPU"),
        &mut report,
    );

    transform::transform(&programs, settings, &mut report);
    if settings.full {
        syscalls::per_connection(&programs, &mut report);
    }
    Ok(report)
}

// ---------------------------------------------------------------------
// The servers under load

/// Which server program, and how it is started.
#[derive(Clone, Copy)]
enum Kind {
    /// A shipped Rust server with extra arguments; `debug` sets
    /// `RUST_LOG=debug`, otherwise the default log level is used.
    Rust {
        args: &'static [&'static str],
        debug: bool,
    },
    Python,
    /// A bare loop, by its name in `bare` (`bare::UDP`, `bare::TCP`,
    /// `bare::TCP_WAITS`).
    Bare(&'static str),
}

fn start(
    programs: &Programs,
    protocol: Protocol,
    kind: Kind,
) -> Result<Server, String> {
    let udp = protocol == Protocol::Udp;
    match kind {
        Kind::Rust { args, debug } => {
            let name = if udp { "udp-server" } else { "tcp-server" };
            let mut command = programs.rust_server(name);
            command.args(args);
            if debug {
                command.env("RUST_LOG", "debug");
            }
            Server::rust(command)
        }
        Kind::Python => {
            let script = if udp {
                "udp_server.py"
            } else {
                "tcp_server.py"
            };
            Server::python(programs.python_server(script), udp)
        }
        Kind::Bare(which) => Server::bare(programs.bare_server(which), udp),
    }
}

/// The load one server got with one client count, over all rounds.
struct Phase {
    clients: usize,
    outcome: Outcome,
    /// The server's CPU time during the load, in clock ticks.
    ticks: u64,
    /// Before the first round, after the last.
    before: Usage,
    after: Usage,
    /// TCP connection requests the system dropped meanwhile.
    listen_drops: Option<u64>,
}

impl Phase {
    /// The server's CPU time per good reply, in µs, if enough ticks
    /// passed to say.
    fn cpu_per_request(&self, ticks_per_second: u64) -> Option<f64> {
        if self.ticks < MIN_TICKS || self.outcome.ok == 0 {
            return None;
        }
        let seconds = self.ticks as f64 / ticks_per_second as f64;
        Some(seconds * 1e6 / self.outcome.ok as f64)
    }

    /// Adds a later round of the same load.
    fn add(&mut self, round: Phase) {
        self.outcome.add(round.outcome);
        self.ticks += round.ticks;
        self.after = round.after;
        self.listen_drops = self
            .listen_drops
            .zip(round.listen_drops)
            .map(|(a, b)| a + b);
    }
}

/// Starts a server and warms it up: first-use costs (lazy allocations,
/// page faults) are not per-request costs. Wrong replies here still
/// count: the server is then reported as failed.
fn start_warm(
    programs: &Programs,
    settings: &Settings,
    protocol: Protocol,
    kind: Kind,
    limits: Limits,
) -> Result<Server, String> {
    let server = start(programs, protocol, kind)?;
    let warmup = Limits {
        count: settings.warmup,
        ..limits
    };
    let warm = load::run(protocol, server.address, 1, warmup);
    if warm.failures() > 0 || warm.ok != settings.warmup {
        return Err(format!(
            "warm-up: {} of {} replies good; {}",
            warm.ok,
            settings.warmup,
            warm.problem.unwrap_or_default()
        ));
    }
    Ok(server)
}

/// One round of load at a running server.
fn load_round(
    server: &Server,
    protocol: Protocol,
    clients: usize,
    limits: Limits,
) -> Result<Phase, String> {
    let before = server.usage()?;
    let drops_before = procs::listen_overflows();
    let outcome = load::run(protocol, server.address, clients, limits);
    let drops_after = procs::listen_overflows();
    let after = settled_usage(server, before.fds)?;
    let listen_drops = drops_after
        .zip(drops_before)
        .filter(|_| protocol == Protocol::Tcp)
        .map(|(after, before)| after.saturating_sub(before));
    Ok(Phase {
        clients,
        outcome,
        ticks: after.ticks.saturating_sub(before.ticks),
        before,
        after,
        listen_drops,
    })
}

/// The server's usage once its last connections are closed. A TCP server
/// closes a connection only when the client has closed its side too (it
/// drains late input first), a moment after the client has its reply, so
/// counting descriptors at once could see the last one still open. Waits
/// at most a second for the count to come back to `fds`.
fn settled_usage(server: &Server, fds: usize) -> Result<Usage, String> {
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        let usage = server.usage()?;
        if usage.fds <= fds || Instant::now() >= deadline {
            return Ok(usage);
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// One group of load phases: its name in the table, the client counts,
/// the bounds of each phase, and whether the targets are judged on it.
struct Section<'a> {
    test: String,
    clients: &'a [usize],
    phase: Limits,
    targets: bool,
}

/// A server in a comparison: its row label, its protocol, how it is
/// started (`None`: this build lacks the option), and what its row is
/// compared with.
struct Subject {
    label: &'static str,
    protocol: Protocol,
    kind: Option<Kind>,
    versus: Versus,
}

#[derive(Clone, Copy, PartialEq)]
enum Versus {
    /// It is the reference: the bare baseline.
    Itself,
    Bare,
    /// A second baseline, compared with the first: the bare loop that
    /// waits for the client's close, as the program does.
    Alike,
    /// The first Rust server at its default log level.
    Default,
}

/// The servers of one protocol, each with each client count of the
/// section. Rows go by client count, so that each group reads against its
/// bare baseline.
fn compare_servers(
    programs: &Programs,
    settings: &Settings,
    subjects: &[Subject],
    section: &Section,
    report: &mut Report,
) {
    let test = &section.test;
    // Every server of the section runs from the start, and they take
    // turns: each round gives each server a share of its load. Something
    // else that runs on the machine for a few seconds then slows them all
    // alike, and the ratios stay fair. A waiting server costs no CPU.
    let servers: Vec<Option<Result<Server, String>>> = subjects
        .iter()
        .map(|subject| {
            subject.kind.map(|kind| {
                start_warm(
                    programs,
                    settings,
                    subject.protocol,
                    kind,
                    section.phase,
                )
            })
        })
        .collect();
    let rounds = settings.rounds;
    let share = Limits {
        time: section.phase.time / rounds,
        ..section.phase
    };
    let mut results: Vec<Option<Result<Vec<Phase>, String>>> = servers
        .iter()
        .map(|server| match server {
            Some(Ok(_)) => Some(Ok(Vec::new())),
            Some(Err(error)) => Some(Err(error.clone())),
            None => None,
        })
        .collect();
    for round in 0..rounds {
        for (index, subject) in subjects.iter().enumerate() {
            let (Some(Ok(server)), Some(Ok(phases))) =
                (&servers[index], &mut results[index])
            else {
                continue;
            };
            let mut failed = None;
            for (position, &clients) in section.clients.iter().enumerate() {
                match load_round(server, subject.protocol, clients, share) {
                    Ok(phase) if round == 0 => phases.push(phase),
                    Ok(phase) => {
                        if let Some(total) = phases.get_mut(position) {
                            total.add(phase);
                        }
                    }
                    Err(error) => failed = Some(error),
                }
            }
            if let Some(error) = failed {
                results[index] = Some(Err(error));
            }
        }
    }
    drop(servers);
    let find = |versus: Versus| {
        subjects.iter().position(|subject| subject.versus == versus)
    };
    let (bare, rust) = (find(Versus::Itself), find(Versus::Bare));
    let alike = find(Versus::Alike);

    for index in 0..section.clients.len() {
        let phase = |position: Option<usize>| {
            position.and_then(|p| phase_of(&results[p], index))
        };
        for (subject, result) in subjects.iter().zip(&results) {
            let label = subject.label;
            let compare = match subject.versus {
                Versus::Itself => Compare::Reference,
                Versus::Bare | Versus::Alike => {
                    Compare::With(phase(bare), "bare")
                }
                Versus::Default => Compare::With(phase(rust), "default"),
            };
            match result {
                Some(Ok(phases)) => {
                    if let Some(this) = phases.get(index) {
                        report.server_row(test, label, this, compare);
                    }
                }
                // The failure is counted once, shown in every group.
                Some(Err(error)) if index == 0 => {
                    report.error_row(test, label, error);
                }
                Some(Err(_)) => report.missing_row(test, label, "error"),
                None => report.missing_row(test, label, "flag missing"),
            }
        }
    }

    if !section.targets {
        return;
    }
    // The targets: within 10% of bare, and below Python, in CPU time per
    // request at the default log level. The Rust server is the first
    // compared with bare, Python the last subject so compared.
    let python = subjects.iter().rposition(|s| s.versus == Versus::Bare);
    for (index, clients) in section.clients.iter().enumerate() {
        let cpu = |position: Option<usize>| {
            position
                .and_then(|p| phase_of(&results[p], index))
                .and_then(|phase| phase.cpu_per_request(report.ticks))
        };
        let (ours, bare, theirs) = (cpu(rust), cpu(bare), cpu(python));
        let waits = cpu(alike);
        let name = |position: Option<usize>| {
            position.map_or("?", |p| subjects[p].label)
        };
        let (rust, python) = (name(rust), name(python));
        let rows = format!("in the {test} rows, {clients} client");
        // Each goal compares our CPU time per request with another's.
        let versus = |other: Option<f64>,
                      who: &str,
                      figure: &str,
                      met: fn(f64) -> bool| {
            ours.zip(other).map(|(ours, other)| {
                let r = ours / other;
                let measured = format!(
                    "Per request ({rows}), {rust} spends {ours:.1} µs of \
                     CPU time, {who} {other:.1} µs: {r:.2} times as much"
                );
                (measured, met(r), format!("{r:.2}× {figure}"))
            })
        };
        let bare_loop = "the bare loop";
        report.target(
            &format!("{rust} within 10% of {bare_loop}'s CPU time"),
            versus(bare, bare_loop, bare_loop, |r| r <= 1.1),
        );
        // Where there is a bare loop that waits (TCP): the same goal,
        // against a loop that closes in the same order as the program.
        if alike.is_some() {
            let that = "the bare loop that waits for the client's close";
            report.target(
                &format!("{rust} within 10% of {that}"),
                versus(waits, that, "that loop", |r| r <= 1.1),
            );
        }
        report.target(
            &format!("{rust} below {python}"),
            versus(theirs, python, python, |r| r < 1.0),
        );
    }
}

fn phase_of(
    result: &Option<Result<Vec<Phase>, String>>,
    index: usize,
) -> Option<&Phase> {
    match result {
        Some(Ok(phases)) => phases.get(index),
        _ => None,
    }
}

/// The bare TCP loop that waits for the client's close before its own, as
/// tcp-server does: the same order of closing, and nothing else added.
pub const WAITS: &str = "bare, waits for the client's close";

/// The Rust server as shipped: default log level, or `RUST_LOG=debug`.
const SHIPPED: Kind = Kind::Rust {
    args: &[],
    debug: false,
};
const DEBUG: Kind = Kind::Rust {
    args: &[],
    debug: true,
};

fn udp_subjects() -> Vec<Subject> {
    let subject = |label, kind, versus| Subject {
        label,
        protocol: Protocol::Udp,
        kind: Some(kind),
        versus,
    };
    vec![
        subject("bare", Kind::Bare(bare::UDP), Versus::Itself),
        subject("udp-server", SHIPPED, Versus::Bare),
        subject("udp_server.py", Kind::Python, Versus::Bare),
        subject("udp-server RUST_LOG=debug", DEBUG, Versus::Default),
    ]
}

/// The options this tcp-server has (they are being added as this is
/// written): `--concurrent` and `--read-timeout`.
struct Flags {
    concurrent: bool,
    read_timeout: bool,
}

fn tcp_server_flags(programs: &Programs) -> Flags {
    let mut command = programs.rust("tcp-server");
    command.arg("--help");
    let help = procs::run_to_end(command, b"", Duration::from_secs(10))
        .map(|run| String::from_utf8_lossy(&run.stdout).into_owned())
        .unwrap_or_default();
    Flags {
        concurrent: help.contains("--concurrent"),
        read_timeout: help.contains("--read-timeout"),
    }
}

fn tcp_subjects(flags: &Flags) -> Vec<Subject> {
    let subject = |label, kind, versus| Subject {
        label,
        protocol: Protocol::Tcp,
        kind: Some(kind),
        versus,
    };
    let concurrent = Kind::Rust {
        args: &["--concurrent"],
        debug: false,
    };
    let mut concurrent =
        subject("tcp-server --concurrent", concurrent, Versus::Bare);
    if !flags.concurrent {
        concurrent.kind = None;
    }
    vec![
        subject("bare", Kind::Bare(bare::TCP), Versus::Itself),
        subject(WAITS, Kind::Bare(bare::TCP_WAITS), Versus::Alike),
        subject("tcp-server", SHIPPED, Versus::Bare),
        concurrent,
        subject("tcp_server.py", Kind::Python, Versus::Bare),
        subject("tcp-server RUST_LOG=debug", DEBUG, Versus::Default),
    ]
}

// ---------------------------------------------------------------------
// Slow clients: connected, sending nothing

fn idle_clients(
    programs: &Programs,
    settings: &Settings,
    flags: &Flags,
    report: &mut Report,
) {
    let test = "TCP idle";
    let concurrent = "tcp-server --concurrent";
    // (label, arguments, the fast client's exchanges, the bound on each)
    let mut cases = vec![("tcp-server", &[][..], 1, settings.blocked)];
    // With --read-timeout, the server gives up on each idle client after
    // that long: the fast client's wait shows how long it queued. It
    // takes a second or so: full run only.
    if flags.read_timeout && settings.full {
        let args = &["--read-timeout", "0.25"][..];
        let bound = Duration::from_secs(5);
        cases.push(("tcp-server --read-timeout 0.25", args, 1, bound));
    }
    if flags.concurrent {
        let args = &["--concurrent"][..];
        cases.push((concurrent, args, settings.fast, settings.phase.timeout));
    } else {
        report.missing_row(test, concurrent, "flag missing");
    }

    let mut fast_p99 = None;
    let mut blocked = None;
    for (label, args, fast, bound) in cases {
        let kind = Kind::Rust { args, debug: false };
        let server = match start(programs, Protocol::Tcp, kind) {
            Ok(server) => server,
            Err(error) => {
                report.error_row(test, label, &error);
                continue;
            }
        };
        let (connected, outcome) =
            load::with_idle_clients(server.address, IDLE, fast, bound);
        drop(server);
        // The iterative server waits in read for the first idle client,
        // for ever, and the fast client with it, until we give up.
        let stuck = outcome.ok == 0 && outcome.timed_out > 0;
        let mut line = Line::new(test, label).latencies(&outcome);
        line.clients = if connected == IDLE {
            format!("{IDLE} idle + 1")
        } else {
            format!("{IDLE} idle ({connected} connected) + 1")
        };
        if stuck {
            let wait = format!("blocked (>{})", duration(bound));
            (line.p50, line.p99, line.max) = (wait.clone(), wait.clone(), wait);
            line.failed =
                format!("{}/{} (gave up)", outcome.wrong, outcome.missing);
        } else if fast > 1 {
            line.rate = format!("{}/s", thousands(outcome.rate()));
        }
        report.row(line);
        if label == "tcp-server" {
            // Missing is the expected result here; wrong never is.
            blocked = Some(stuck);
            if outcome.wrong > 0 {
                report.count_failures(test, label, &outcome);
            }
        } else {
            report.count_failures(test, label, &outcome);
        }
        if label == concurrent && connected == IDLE && outcome.failures() == 0 {
            fast_p99 = outcome.percentile(0.99);
        }
    }
    report.target(
        "with --concurrent, 99% of the fast client's exchanges under 10 ms",
        fast_p99.map(|p99| {
            let measured = format!(
                "With {IDLE} clients connected that send nothing, 99% of a \
                 fast client's exchanges with {concurrent} take {} or less",
                duration(p99)
            );
            let figure = format!("p99 {}", duration(p99));
            (measured, p99 < Duration::from_millis(10), figure)
        }),
    );
    report.target(
        "the lecture's iterative server makes the fast client wait",
        blocked.map(|blocked| {
            let got = if blocked {
                format!("no reply within {}", duration(settings.blocked))
            } else {
                "a reply".into()
            };
            let figure = got.clone();
            let measured = format!(
                "With the same {IDLE} silent clients, the iterative \
                 tcp-server gives the fast client {got}"
            );
            (measured, blocked, figure)
        }),
    );
}
