//! Serving many clients, measured: the five models of the chapter
//! "Serving many clients", each in Rust (`examples/`) and in Python
//! (`docs/python/`), under the same loads, on loopback (127.0.0.1) only.
//!
//! ```text
//! cargo bench -p tcp-server --bench many    # full run, 3 to 5 minutes on 2 cores
//! cargo test -p tcp-server --bench many     # quick run, 7 to 25 seconds
//! ```
//!
//! For each of the ten servers, started fresh for each measurement:
//! 1. 1, 10 and 100 clients make exchanges back to back, three rounds of a
//!    second, of which the table keeps the best: good replies per second,
//!    the median (p50), 99th-percentile (p99) and longest exchange;
//! 2. N connections are opened and left idle (100, 1,000 and 10,000, as
//!    far as the descriptor limit allows): how many the server took,
//!    whether a new client is still served and how long it waits, and the
//!    server's threads, memory and descriptors (from /proc);
//! 3. a slow client sends a byte a second: the longest wait of another
//!    client meanwhile.
//!
//! It prints Markdown tables and writes them, with an SVG chart drawn
//! from the run, to `target/many/` (`--docs` also copies the charts to
//! `docs/en/serving-many.svg` and `docs/ko/serving-many.svg`).
//! Without `--bench` (as under `cargo test`) it runs the quick check: tiny
//! loads, the ten servers at once, no timings asserted, but each model
//! must serve (or hold up) whom its design says, or the run fails.

mod chart; // the SVG chart
mod load; // the clients
mod system; // the servers, /proc, this machine
mod table; // the Markdown tables

use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use load::Load;
use system::{Programs, SUBJECTS, Subject, Usage};

/// How much a run does.
pub struct Settings {
    full: bool,
    clients: &'static [usize],
    /// Each load, and at most this many exchanges per client.
    load_time: Duration,
    load_most: u64,
    /// Rounds of each load; the table keeps the best.
    rounds: u32,
    /// Any one connect or reply.
    timeout: Duration,
    idle: &'static [usize],
    /// Each idle connect: long enough for one SYN sent again (1 s).
    idle_connect: Duration,
    /// How long a new client waits among idle ones before we say it was
    /// not served.
    new_client: Duration,
    /// The slow client's pause between bytes, and the other client's
    /// exchanges meanwhile.
    slow_interval: Duration,
    slow_fast: usize,
}

const FULL: Settings = Settings {
    full: true,
    clients: &[1, 10, 100],
    load_time: Duration::from_secs(1),
    load_most: 1_000_000,
    rounds: 3,
    timeout: Duration::from_secs(3),
    idle: &[100, 1_000, 10_000],
    idle_connect: Duration::from_millis(1200),
    new_client: Duration::from_secs(2),
    slow_interval: Duration::from_secs(1),
    slow_fast: 20,
};

const QUICK: Settings = Settings {
    full: false,
    clients: &[1, 10],
    load_time: Duration::from_millis(100),
    load_most: 100,
    rounds: 1,
    timeout: Duration::from_secs(3),
    idle: &[20],
    idle_connect: Duration::from_millis(1200),
    new_client: Duration::from_secs(1),
    slow_interval: Duration::from_millis(600),
    slow_fast: 3,
};

/// Everything measured of one server.
pub struct Row {
    pub subject: Subject,
    pub loads: Vec<(usize, Load)>,
    pub idle: Vec<Idle>,
    /// The other client's longest wait beside the slow one; `None`: it
    /// timed out.
    pub slow: Option<Duration>,
}

/// One idle measurement.
pub struct Idle {
    pub asked: usize,
    pub opened: usize,
    /// The new client's wait; `None`: not served within `new_client`.
    pub served: Option<Duration>,
    /// The server with the idle connections open, before the new client.
    pub usage: Usage,
    /// The server just started, nothing connected.
    pub base: Usage,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let full = args.iter().any(|arg| arg == "--bench");
    let settings = if full { FULL } else { QUICK };
    let docs = args.iter().any(|arg| arg == "--docs");
    match run(&settings, docs) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench many: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(settings: &Settings, docs: bool) -> Result<(), String> {
    let limit = system::raise_descriptor_limit();
    // Each idle connection is a descriptor here and one in the server;
    // keep a margin for everything else both have open.
    let idle: Vec<usize> = settings
        .idle
        .iter()
        .copied()
        .filter(|n| *n as u64 + 200 <= limit)
        .collect();
    let programs = Programs::build(settings.full)?;
    let load_before = system::load_average();
    let started = Instant::now();
    let rows: Vec<Row> = if settings.full {
        // One at a time: each server has the machine to itself
        let mut rows = Vec::new();
        for subject in &SUBJECTS {
            eprintln!("bench many: {} ({})", subject.model, subject.language);
            rows.push(measure(&programs, subject, settings, &idle)?);
        }
        rows
    } else {
        // All at once: correctness only, in a few seconds
        thread::scope(|scope| {
            let runs: Vec<_> = SUBJECTS
                .iter()
                .map(|subject| {
                    let idle = &idle;
                    let programs = &programs;
                    scope.spawn(move || {
                        measure(programs, subject, settings, idle)
                    })
                })
                .collect();
            runs.into_iter()
                .map(|run| {
                    run.join().unwrap_or_else(|_| Err("panicked".into()))
                })
                .collect::<Result<Vec<Row>, String>>()
        })?
    };
    let took = started.elapsed();
    if !settings.full {
        check(&rows, settings)?;
        // The tables are drawn (not shown), so that their code runs here
        // too: three headers and separators, a row per server and per idle
        let idle: usize = rows.iter().map(|row| row.idle.len()).sum();
        let expected = 6 + 2 * rows.len() + idle;
        for korean in [false, true] {
            let text =
                table::tables(&rows, settings, "", "", limit, took, korean);
            let lines = text.lines().filter(|l| l.starts_with('|')).count();
            if lines != expected {
                return Err(format!("{lines} table lines, not {expected}"));
            }
        }
        println!(
            "bench many (quick): 10 servers checked in {:.1} s; \
             `cargo bench -p tcp-server --bench many` measures",
            took.as_secs_f64()
        );
        return Ok(());
    }
    let machine = system::machine();
    let load = format!(
        "load average {load_before} at the start, {} at the end",
        system::load_average()
    );
    let text =
        table::tables(&rows, settings, &machine, &load, limit, took, false);
    print!("{text}");
    let out = programs.workspace.join("target/many");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let write = |name: &str, contents: &str| {
        let path = out.join(name);
        std::fs::write(&path, contents)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write("results.md", &text)?;
    let korean =
        table::tables(&rows, settings, &machine, &load, limit, took, true);
    write("results-ko.md", &korean)?;
    for language in ["en", "ko"] {
        let svg = chart::svg(&rows, language, &format!("{machine}; {load}"));
        write(&format!("chart-{language}.svg"), &svg)?;
        if docs {
            let path = programs
                .workspace
                .join(format!("docs/{language}/serving-many.svg"));
            std::fs::write(&path, &svg).map_err(|e| e.to_string())?;
        }
    }
    eprintln!("bench many: tables and charts in {}", out.display());
    Ok(())
}

/// Every measurement of one server, each on a fresh start of it.
fn measure(
    programs: &Programs,
    subject: &Subject,
    settings: &Settings,
    idle: &[usize],
) -> Result<Row, String> {
    let what = format!("{} ({})", subject.program, subject.language);
    let phase = Instant::now();
    let mut loads = Vec::new();
    for &clients in settings.clients {
        let mut server = programs.start(subject)?;
        let address = ([127, 0, 0, 1], server.port).into();
        // The best of a few rounds: on a shared machine, other work only
        // ever slows a round down
        let mut best: Option<Load> = None;
        for _ in 0..settings.rounds {
            let load = load::load(
                address,
                clients,
                settings.load_time,
                settings.load_most,
                settings.timeout,
            );
            if best.as_ref().is_none_or(|b| load.per_second > b.per_second) {
                best = Some(load);
            }
        }
        if !server.alive() {
            return Err(format!("{what} died under {clients} clients"));
        }
        loads.push((clients, best.unwrap_or_default()));
    }
    let loads_took = phase.elapsed();
    let mut idles = Vec::new();
    for &n in idle {
        let phase = Instant::now();
        let server = programs.start(subject)?;
        let address = ([127, 0, 0, 1], server.port).into();
        let base = server.usage();
        // Until the server holds as many descriptors more as are open
        // here, or 300 ms pass without one more (it does not accept)
        let accepted = |open: usize| {
            let mut last = 0;
            let mut since = Instant::now();
            loop {
                let now = server.usage().descriptors;
                if now >= base.descriptors + open as u64 {
                    return;
                }
                if now != last {
                    (last, since) = (now, Instant::now());
                } else if since.elapsed() > Duration::from_millis(300) {
                    return;
                }
                thread::sleep(Duration::from_millis(1));
            }
        };
        let open = load::idle(address, n, settings.idle_connect, accepted);
        let opened = phase.elapsed();
        let usage = settle(&server);
        let settled = phase.elapsed();
        let served = load::exchange(address, settings.new_client).ok();
        idles.push(Idle {
            asked: n,
            opened: open.len(),
            served,
            usage,
            base,
        });
        drop(open);
        drop(server);
        if settings.full {
            eprintln!(
                "  {n} idle: opened {:.1} s, settled {:.1} s, all {:.1} s",
                opened.as_secs_f64(),
                settled.as_secs_f64(),
                phase.elapsed().as_secs_f64()
            );
        }
    }
    if settings.full {
        eprintln!("  loads: {:.1} s", loads_took.as_secs_f64());
    }
    let server = programs.start(subject)?;
    let address = ([127, 0, 0, 1], server.port).into();
    let slow = load::slow(
        address,
        settings.slow_interval,
        settings.slow_fast,
        settings.timeout,
    )?;
    Ok(Row {
        subject: *subject,
        loads,
        idle: idles,
        slow,
    })
}

/// The server's usage once it has stopped changing (its threads started,
/// its accepts done), at most five seconds after the last connect.
fn settle(server: &system::Server) -> Usage {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut last = server.usage();
    loop {
        thread::sleep(Duration::from_millis(150));
        let now = server.usage();
        let same =
            now.threads == last.threads && now.descriptors == last.descriptors;
        if same || Instant::now() > deadline {
            return now;
        }
        last = now;
    }
}

/// The quick run's checks: every load got only right replies, and each
/// model served (or held up) whom its design says.
fn check(rows: &[Row], settings: &Settings) -> Result<(), String> {
    for row in rows {
        let what =
            format!("{} ({})", row.subject.program, row.subject.language);
        for (clients, load) in &row.loads {
            if load.ok == 0 || load.failed > 0 {
                return Err(format!(
                    "{what}, {clients} clients: {} good, {} failed ({})",
                    load.ok,
                    load.failed,
                    load.first_error.as_deref().unwrap_or("")
                ));
            }
        }
        for idle in &row.idle {
            if idle.served.is_some() != row.subject.serves_past_idle {
                return Err(format!(
                    "{what}: with {} idle, new client served: {:?}",
                    idle.opened, idle.served
                ));
            }
        }
        // Only the iterative server makes the others wait for the slow one
        let held = row.slow.is_none_or(|w| w > settings.slow_interval / 2);
        if held != (row.subject.model == "iterative") {
            return Err(format!("{what}: held up by the slow client: {held}"));
        }
    }
    Ok(())
}
