//! The report: one table, built row by row, then the targets and what
//! failed.

use std::time::Duration;

use crate::load::Outcome;
use crate::table::{Table, duration, ratio, thousands};
use crate::{Phase, Settings};

pub fn duration_or_dash(value: Option<Duration>) -> String {
    value.map_or_else(|| "—".into(), duration)
}

/// One row of the table, by column. Empty cells do not apply to the row;
/// "—" means not measured.
#[derive(Default)]
pub struct Line {
    pub test: String,
    pub program: String,
    pub clients: String,
    pub rate: String,
    pub p50: String,
    pub p99: String,
    pub max: String,
    pub cpu: String,
    pub vs: String,
    pub ok: String,
    pub failed: String,
    pub drops: String,
    pub rss: String,
    pub fds: String,
}

/// The column titles, in the order of [`Line::cells`].
const HEADER: [&str; 14] = [
    "test",
    "program",
    "clients",
    "rate",
    "p50",
    "p99",
    "max",
    "server CPU/req",
    "vs reference",
    "ok",
    "wrong/missing",
    "listen drops",
    "RSS KiB before→after",
    "fds before→after",
];

impl Line {
    pub fn new(test: &str, program: &str) -> Line {
        Line {
            test: test.into(),
            program: program.into(),
            ..Line::default()
        }
    }

    /// Fills the latency and count columns from an outcome.
    pub fn latencies(mut self, outcome: &Outcome) -> Line {
        self.p50 = duration_or_dash(outcome.percentile(0.5));
        self.p99 = duration_or_dash(outcome.percentile(0.99));
        self.max = duration_or_dash(outcome.max());
        self.ok = thousands(outcome.ok as f64);
        self.failed = format!("{}/{}", outcome.wrong, outcome.missing);
        self
    }

    fn cells(self) -> Vec<String> {
        vec![
            self.test,
            self.program,
            self.clients,
            self.rate,
            self.p50,
            self.p99,
            self.max,
            self.cpu,
            self.vs,
            self.ok,
            self.failed,
            self.drops,
            self.rss,
            self.fds,
        ]
    }
}

/// The widest line the quick run may print.
const WIDTH: usize = 100;

/// What a server row is compared with.
pub enum Compare<'a> {
    /// This row is the reference of its group.
    Reference,
    /// Compared with this phase (when it ran), named so.
    With(Option<&'a Phase>, &'static str),
}

pub struct Report {
    table: Table,
    /// Clock ticks per second, to turn /proc's CPU times into seconds.
    pub ticks: u64,
    /// Wrong replies, leaked descriptors, programs that did not start:
    /// a failed run.
    failures: Vec<String>,
    /// Missing replies: a failed quick run. The full run shows them and
    /// goes on: under load, listen(1) drops connection requests, and
    /// that is a finding.
    missing: Vec<String>,
    /// Replies checked and found exactly right, for the quick run's
    /// summary.
    good_replies: u64,
    targets: Vec<String>,
    /// Each goal in one line: reached or missed, and the figure that says.
    verdicts: Vec<String>,
    /// Where the clients and servers ran.
    pub placement: String,
    /// System calls per TCP connection, for each server (full run).
    pub calls: Option<Table>,
}

impl Report {
    pub fn new(ticks: u64) -> Report {
        Report {
            table: Table::new(&HEADER),
            ticks,
            failures: Vec::new(),
            missing: Vec::new(),
            good_replies: 0,
            targets: Vec::new(),
            verdicts: Vec::new(),
            placement: "not pinned to CPUs".into(),
            calls: None,
        }
    }

    pub fn row(&mut self, line: Line) {
        self.table.row(line.cells());
    }

    pub fn server_row(
        &mut self,
        test: &str,
        label: &str,
        phase: &Phase,
        compare: Compare,
    ) {
        let outcome = &phase.outcome;
        let cpu = phase.cpu_per_request(self.ticks);
        let mut line = Line::new(test, label).latencies(outcome);
        line.clients = phase.clients.to_string();
        line.rate = format!("{}/s", thousands(outcome.rate()));
        line.cpu = cpu.map_or_else(|| "—".into(), |cpu| format!("{cpu:.1} µs"));
        line.vs = match compare {
            Compare::Reference => "ref".into(),
            Compare::With(Some(reference), name) => {
                let cpu_ratio = cpu
                    .zip(reference.cpu_per_request(self.ticks))
                    .map_or_else(|| "—".into(), |(a, b)| ratio(a / b));
                let rate_ratio =
                    ratio(outcome.rate() / reference.outcome.rate());
                format!("CPU {cpu_ratio}, rate {rate_ratio} of {name}")
            }
            Compare::With(None, _) => "—".into(),
        };
        line.drops = phase
            .listen_drops
            .map_or_else(|| "—".into(), |drops| drops.to_string());
        let (before, after) = (phase.before, phase.after);
        line.rss = format!(
            "{}→{}",
            thousands(before.rss_kib as f64),
            thousands(after.rss_kib as f64)
        );
        line.fds = format!("{}→{}", before.fds, after.fds);
        self.row(line);
        self.count_failures(test, label, outcome);
        // More descriptors after the load than before is a leak. Memory is
        // only shown: an allocator may keep a little for later.
        if after.fds > before.fds {
            self.failures.push(format!(
                "{test} {label}, {} client(s): descriptors grew from {} to {}",
                phase.clients, before.fds, after.fds
            ));
        }
    }

    pub fn count_failures(
        &mut self,
        test: &str,
        label: &str,
        outcome: &Outcome,
    ) {
        self.good_replies += outcome.ok;
        let what = || {
            format!(
                "{test} {label}: {} wrong, {} missing ({})",
                outcome.wrong,
                outcome.missing,
                outcome.problem.as_deref().unwrap_or("")
            )
        };
        if outcome.wrong > 0 {
            self.failures.push(what());
        } else if outcome.missing > 0 {
            self.missing.push(what());
        }
    }

    pub fn transform_row(
        &mut self,
        test: &str,
        label: &str,
        rate: f64,
        same: bool,
        vs: String,
    ) {
        let mut line = Line::new(test, label);
        line.rate = format!("{} MB/s", thousands(rate));
        line.vs = vs;
        // One check: the upper-cased text equals the reference result.
        line.ok = if same { "1" } else { "0" }.into();
        line.failed = if same { "0/0" } else { "1/0" }.into();
        self.row(line);
        if !same {
            self.failures
                .push(format!("{test} {label}: result differs from Rust's"));
        }
    }

    pub fn error_row(&mut self, test: &str, label: &str, error: &str) {
        let mut line = Line::new(test, label);
        line.rate = "n/a (error)".into();
        self.row(line);
        self.failures.push(format!("{test} {label}: {error}"));
    }

    /// A row for something this build does not have: not a failure.
    pub fn missing_row(&mut self, test: &str, label: &str, why: &str) {
        let mut line = Line::new(test, label);
        line.rate = format!("n/a ({why})");
        self.row(line);
    }

    /// A goal the team set, in words (`goal`), and what this run
    /// measured: `None` if it could not be measured, else a sentence with
    /// the numbers compared, whether they reach the goal, and the figure
    /// that decides it in a few words (`1.07× the bare loop`).
    pub fn target(
        &mut self,
        goal: &str,
        result: Option<(String, bool, String)>,
    ) {
        let (line, verdict) = match result {
            None => (
                format!("- Not measured. Goal: {goal}."),
                format!("- {goal}: not measured"),
            ),
            Some((measured, met, figure)) => {
                let verdict = if met { "reached" } else { "MISSED" };
                (
                    format!("- {measured}. Goal: {goal}: {verdict}."),
                    format!("- {goal}: {verdict} ({figure})"),
                )
            }
        };
        self.targets.push(line);
        self.verdicts.push(verdict);
    }

    pub fn failed(&self, settings: &Settings) -> bool {
        !self.failures.is_empty()
            || (!settings.full && !self.missing.is_empty())
    }

    /// The full run prints the table and the goals; the quick run, which
    /// checks correctness only, a short summary (or what went wrong), in
    /// lines of at most [`WIDTH`] columns: false if one is longer.
    pub fn print(&self, settings: &Settings, took: Duration) -> bool {
        println!();
        if settings.full {
            println!(
                "compare: full run, {:.0} s, loopback, {}, {} clock ticks/s",
                took.as_secs_f64(),
                self.placement,
                self.ticks
            );
            println!();
            self.table.print();
            if let Some(calls) = &self.calls {
                println!();
                println!(
                    "System calls per TCP connection, for a client that \
                     half-closes and one that does not (strace -f -c):"
                );
                println!();
                calls.print();
            }
            println!();
            println!("The goals, and what this run measured:");
            for line in &self.targets {
                println!("{line}");
            }
            println!();
        }
        for line in &self.missing {
            println!("missing replies: {line}");
        }
        for line in &self.failures {
            println!("FAILED: {line}");
        }
        if self.failed(settings) {
            println!("compare: FAILED");
        } else if settings.full {
            println!("compare: ok ({} rows)", self.table.len());
        }
        if settings.full {
            // Last, one line per goal: what a reader compares between runs.
            // The figures vary by machine and load; the ratios of one run,
            // whose servers took turns, are what to compare.
            println!();
            println!("Verdicts (ratios of this run; they vary by machine):");
            for line in &self.verdicts {
                println!("{line}");
            }
        } else if !self.failed(settings) {
            // Short lines: the quick run's output is read in a terminal,
            // among the tests'.
            let lines = [
                format!(
                    "compare: quick check ok in {:.0} s; nothing is timed \
                     here (cargo bench measures)",
                    took.as_secs_f64()
                ),
                format!(
                    "- {} replies from the servers (Rust, Python, bare) and \
                     the clients, each as expected",
                    thousands(self.good_replies as f64)
                ),
                "- common::to_upper agrees with Python's str.upper()".into(),
            ];
            for line in &lines {
                println!("{line}");
            }
            if let Some(long) =
                lines.iter().find(|line| line.chars().count() > WIDTH)
            {
                println!("FAILED: this line is over {WIDTH} columns: {long}");
                return false;
            }
        }
        true
    }
}
