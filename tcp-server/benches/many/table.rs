//! The Markdown tables of a full run.
use std::fmt::Write;
use std::time::Duration;

use crate::{Row, Settings};

/// A duration as the tables show it: µs below 1 ms, ms below 1 s.
pub fn time(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1000.0 {
        format!("{us:.0} µs")
    } else if us < 1e6 {
        format!("{:.1} ms", us / 1000.0)
    } else {
        format!("{:.2} s", us / 1e6)
    }
}

/// 12345 -> "12,345".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

pub fn tables(
    rows: &[Row],
    settings: &Settings,
    machine: &str,
    load: &str,
    limit: u64,
    took: Duration,
) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "Machine: {machine}; descriptor limit {limit}.");
    let _ = writeln!(
        t,
        "Run: `cargo bench -p tcp-server --bench many`, {:.0} s, {load}. \
         Times are this machine's; compare rows, not machines.\n",
        took.as_secs_f64()
    );
    let _ = writeln!(
        t,
        "Clients back to back (the best of {} rounds of {} s): good \
         replies per second; \
         p50 / p99 of one exchange (connect, send, reply, close) and the \
         longest, where an exchange that timed out counts as its timeout\n",
        settings.rounds,
        settings.load_time.as_secs_f64()
    );
    let _ = write!(t, "| Model | Language |");
    for clients in settings.clients {
        let _ = write!(
            t,
            " {clients} client{} |",
            if *clients == 1 { "" } else { "s" }
        );
    }
    let _ = write!(t, "\n|---|---|");
    for _ in settings.clients {
        let _ = write!(t, "---:|");
    }
    t.push('\n');
    for row in rows {
        let _ =
            write!(t, "| {} | {} |", row.subject.model, row.subject.language);
        for (_, load) in &row.loads {
            let longest = if load.failed > 0 {
                format!("{} timed out (≥ {})", load.failed, time(load.max))
            } else {
                format!("max {}", time(load.max))
            };
            let _ = write!(
                t,
                " {}/s, {} / {}, {longest} |",
                thousands(load.per_second.round() as u64),
                time(load.p50),
                time(load.p99)
            );
        }
        t.push('\n');
    }
    let _ = writeln!(
        t,
        "\nIdle connections held open, then one new client (given {}): \
         the server's threads, resident memory (RSS) and descriptors with \
         them open, and what each idle connection added\n",
        time(settings.new_client)
    );
    t.push_str(
        "| Model | Language | Idle | Taken | New client | Threads | RSS | \
         Descriptors | RSS per idle | Address space per idle |\n\
         |---|---|---:|---:|---|---:|---:|---:|---:|---:|\n",
    );
    for row in rows {
        for idle in &row.idle {
            let served = match idle.served {
                Some(wait) => format!("served in {}", time(wait)),
                None => "not served".into(),
            };
            let opened = idle.opened.max(1) as f64;
            let per = |now: u64, then: u64| {
                let kib = now.saturating_sub(then) as f64 / opened;
                format!("{kib:.1} KiB")
            };
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} | {served} | {} | {} | {} | {} | {} |",
                row.subject.model,
                row.subject.language,
                thousands(idle.asked as u64),
                thousands(idle.opened as u64),
                idle.usage.threads,
                mib(idle.usage.rss_kib),
                thousands(idle.usage.descriptors),
                per(idle.usage.rss_kib, idle.base.rss_kib),
                per(idle.usage.virtual_kib, idle.base.virtual_kib),
            );
        }
    }
    let _ = writeln!(
        t,
        "\nA slow client sends one byte every {}; meanwhile another client \
         makes {} exchanges: its longest wait\n",
        time(settings.slow_interval),
        settings.slow_fast
    );
    t.push_str(
        "| Model | Language | Other client's longest wait | Held up |\n\
         |---|---|---:|---|\n",
    );
    for row in rows {
        let (wait, held) = match row.slow {
            Some(w) => (time(w), w > settings.slow_interval / 2),
            None => ("timed out".into(), true),
        };
        let _ = writeln!(
            t,
            "| {} | {} | {wait} | {} |",
            row.subject.model,
            row.subject.language,
            if held { "yes" } else { "no" }
        );
    }
    t
}
