//! The clients as whole processes, one exchange each, process start
//! included: what a user waits for after pressing Enter.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::load::{Outcome, Protocol};
use crate::procs::{self, Programs, Server};
use crate::report::{Line, Report};
use crate::table::{duration, ratio};
use crate::{SHIPPED, Settings, start};

/// What the client processes read on standard input: the one sentence.
const CLIENT_SENTENCE: &str = "the quick brown fox jumps over the lazy dog";

pub fn client_processes(
    programs: &Programs,
    settings: &Settings,
    report: &mut Report,
) {
    let test = "client process";
    let upper = CLIENT_SENTENCE.to_uppercase();
    let input = format!("{CLIENT_SENTENCE}\n");
    // Both clients of a protocol talk to the same (Rust) server.
    let udp = start(programs, Protocol::Udp, SHIPPED);
    let tcp = start(programs, Protocol::Tcp, SHIPPED);
    let (udp, tcp) = match (udp, tcp) {
        (Ok(udp), Ok(tcp)) => (udp, tcp),
        (Err(error), _) | (_, Err(error)) => {
            report.error_row(test, "servers for the clients", &error);
            return;
        }
    };
    let host_port = |server: &Server| {
        [
            server.address.ip().to_string(),
            server.address.port().to_string(),
        ]
    };
    let ([udp_host, udp_port], [tcp_host, tcp_port]) =
        (host_port(&udp), host_port(&tcp));

    // Pairs of (Rust, Python): first the bare start of a process (`true`
    // does nothing) and of the interpreter, then the two clients. Each
    // prints input()'s prompt, then the reply as its listing does.
    let nothing = String::new();
    let udp_expected = format!("Input lowercase sentence:{upper}\n");
    let tcp_expected =
        format!("Input lowercase sentence:From Server:  {upper}\n");
    let rust = |name: &'static str, host: &str, port: &str| {
        let mut command = programs.rust(name);
        command.args(["--host", host, "--port", port]);
        command
    };
    let python = |script: &'static str, host: &str, port: &str| {
        let mut command = programs.python(script);
        command.args([host, port]);
        command
    };
    let runs = [
        ClientRun::new(
            "true (process start only)",
            || Command::new("true"),
            &nothing,
        ),
        ClientRun::new(
            "python3 -c pass (interpreter start only)",
            || {
                let mut command = Command::new(&programs.python);
                command.args(["-c", "pass"]);
                command
            },
            &nothing,
        ),
        ClientRun::new(
            "udp-client",
            || rust("udp-client", &udp_host, &udp_port),
            &udp_expected,
        ),
        ClientRun::new(
            "udp_client.py",
            || python("udp_client.py", &udp_host, &udp_port),
            &udp_expected,
        ),
        ClientRun::new(
            "tcp-client",
            || rust("tcp-client", &tcp_host, &tcp_port),
            &tcp_expected,
        ),
        ClientRun::new(
            "tcp_client.py",
            || python("tcp_client.py", &tcp_host, &tcp_port),
            &tcp_expected,
        ),
    ];
    let outcomes = time_clients(&runs, &input, settings);
    for (name, mut server) in [("udp-server", udp), ("tcp-server", tcp)] {
        if let Some(status) = server.exited() {
            let error = format!("exited during the runs: {status}");
            report.error_row(test, name, &error);
        }
    }

    for pair in 0..runs.len() / 2 {
        let (ours, theirs) = (2 * pair, 2 * pair + 1);
        let ratio_of = outcomes[theirs]
            .percentile(0.5)
            .zip(outcomes[ours].percentile(0.5))
            .map(|(theirs, ours)| theirs.as_secs_f64() / ours.as_secs_f64());
        for index in [ours, theirs] {
            let label = runs[index].label;
            let outcome = &outcomes[index];
            let mut line = Line::new(test, label).latencies(outcome);
            line.clients = "1".into();
            line.vs = match ratio_of {
                _ if index == ours => "ref".into(),
                Some(r) => {
                    // "true (process start only)" -> "true"
                    let name = runs[ours].label.split(' ').next();
                    format!("time {} of {}", ratio(r), name.unwrap_or(""))
                }
                None => "—".into(),
            };
            report.row(line);
            report.count_failures(test, label, outcome);
        }
        if pair > 0 {
            let (rust, python) = (runs[ours].label, runs[theirs].label);
            let median = |index: usize| outcomes[index].percentile(0.5);
            report.target(
                &format!("{rust} at least 20 times as fast as {python}"),
                median(ours).zip(median(theirs)).zip(ratio_of).map(
                    |((ours, theirs), r)| {
                        (
                            format!(
                                "A whole run of {rust} (start, one \
                                 exchange, exit) takes {} (median), one \
                                 of {python} {}: {r:.1} times as long",
                                duration(ours),
                                duration(theirs)
                            ),
                            r >= 20.0,
                            format!("{r:.1}× as fast"),
                        )
                    },
                ),
            );
        }
    }
}

/// A program timed as a whole process, and what it must print.
struct ClientRun<'a> {
    label: &'static str,
    command: Box<dyn Fn() -> Command + 'a>,
    expected: &'a str,
}

impl<'a> ClientRun<'a> {
    fn new(
        label: &'static str,
        command: impl Fn() -> Command + 'a,
        expected: &'a str,
    ) -> ClientRun<'a> {
        ClientRun {
            label,
            command: Box::new(command),
            expected,
        }
    }
}

/// Runs each program `client_runs` times, taking turns, so that whatever
/// else the machine does meanwhile slows all alike. A first round is not
/// measured: it loads the programs and their libraries into the page
/// cache. Each good run's time, start to exit, is kept as a latency.
fn time_clients(
    runs: &[ClientRun],
    input: &str,
    settings: &Settings,
) -> Vec<Outcome> {
    let mut outcomes: Vec<Outcome> =
        runs.iter().map(|_| Outcome::default()).collect();
    let started = Instant::now();
    for round in 0..=settings.client_runs {
        for (run, outcome) in runs.iter().zip(&mut outcomes) {
            let result = procs::run_to_end(
                (run.command)(),
                input.as_bytes(),
                Duration::from_secs(10),
            );
            if round == 0 {
                continue;
            }
            let expected = run.expected.as_bytes();
            match result {
                Ok(done) if done.stdout == expected => {
                    outcome.record(done.took)
                }
                Ok(done) => outcome.record_wrong(&done.stdout, expected),
                Err(error) => outcome.record_missing(error),
            }
        }
    }
    for outcome in &mut outcomes {
        outcome.elapsed = started.elapsed();
        outcome.sort();
    }
    outcomes
}
