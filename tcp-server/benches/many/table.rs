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

/// The Korean names of the models, for the Korean tables.
fn model(name: &str, korean: bool) -> &str {
    if !korean {
        return name;
    }
    match name {
        "iterative" => "반복 서버",
        "thread per connection" => "연결마다 스레드",
        "pool of 4 threads" => "스레드 4개 풀",
        "readiness loop" => "준비 상태 루프",
        "async tasks" => "비동기 태스크",
        other => other,
    }
}

/// "Rust" and "Python", in Korean for the Korean tables.
fn language(name: &str, korean: bool) -> &str {
    match (korean, name) {
        (true, "Rust") => "러스트",
        (true, "Python") => "파이썬",
        (_, name) => name,
    }
}

/// The tables in English, or (`korean`) as the Korean chapter shows them.
pub fn tables(
    rows: &[Row],
    settings: &Settings,
    machine: &str,
    load: &str,
    limit: u64,
    took: Duration,
    korean: bool,
) -> String {
    // The same text in the language of the tables
    let say = |english: String, korean_text: String| {
        if korean { korean_text } else { english }
    };
    let language = |name| language(name, korean);
    let mut t = String::new();
    let _ = writeln!(t, "Machine: {machine}; descriptor limit {limit}.");
    let _ = writeln!(
        t,
        "Run: `cargo bench -p tcp-server --bench many`, {:.0} s, {load}. \
         Times are this machine's; compare rows, not machines.\n",
        took.as_secs_f64()
    );
    let (rounds, each) = (settings.rounds, settings.load_time.as_secs_f64());
    let caption = say(
        format!(
            "Clients back to back (the best of {rounds} rounds of {each} s): \
             good replies per second; p50 / p99 of one exchange (connect, \
             send, reply, close) and the longest, where an exchange that \
             timed out counts as its timeout"
        ),
        format!(
            "클라이언트가 쉬지 않고 요청할 때({each}초씩 {rounds}번 돌려 가장 \
             좋은 결과). 초당 정상 응답 수, 교환 한 번(연결, 송신, 응답, 닫기)의 \
             p50 / p99와 가장 긴 교환. 시간 초과된 교환은 시간 제한 값으로 \
             셉니다"
        ),
    );
    let _ = writeln!(t, "{caption}\n");
    let _ = write!(
        t,
        "{}",
        say("| Model | Language |".into(), "| 모델 | 언어 |".into())
    );
    for clients in settings.clients {
        let header = say(
            format!("{clients} client{}", if *clients == 1 { "" } else { "s" }),
            if *clients == settings.clients[0] {
                format!("클라이언트 {clients}개")
            } else {
                format!("{clients}개")
            },
        );
        let _ = write!(t, " {header} |");
    }
    let _ = write!(t, "\n|---|---|");
    for _ in settings.clients {
        let _ = write!(t, "---:|");
    }
    t.push('\n');
    for row in rows {
        let _ = write!(
            t,
            "| {} | {} |",
            model(row.subject.model, korean),
            language(row.subject.language)
        );
        for (_, load) in &row.loads {
            let (failed, max) = (load.failed, time(load.max));
            let longest = if failed > 0 {
                say(
                    format!("{failed} timed out (≥ {max})"),
                    format!("{failed}개 시간 초과({max} 이상)"),
                )
            } else {
                say(format!("max {max}"), format!("최대 {max}"))
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
    let new_client = time(settings.new_client);
    let caption = say(
        format!(
            "Idle connections held open, then one new client (given \
             {new_client}): the server's threads, resident memory (RSS) and \
             descriptors with them open, and what each idle connection added"
        ),
        format!(
            "유휴 연결을 열어 둔 뒤 새 클라이언트 하나({new_client} 안에). 연결을 \
             열어 둔 상태의 서버 스레드 수, 상주 메모리(RSS), 파일 디스크립터 \
             수, 그리고 유휴 연결 하나가 더한 양"
        ),
    );
    let _ = writeln!(t, "\n{caption}\n");
    t.push_str(&say(
        "| Model | Language | Idle | Taken | New client | Threads | RSS | \
         Descriptors | RSS per idle | Address space per idle |\n"
            .into(),
        "| 모델 | 언어 | 유휴 연결 | 받아들인 수 | 새 클라이언트 | 스레드 | RSS | \
         디스크립터 | 유휴 연결당 RSS | 유휴 연결당 주소 공간 |\n"
            .into(),
    ));
    t.push_str("|---|---|---:|---:|---|---:|---:|---:|---:|---:|\n");
    for row in rows {
        for idle in &row.idle {
            let served = match idle.served {
                Some(wait) => say(
                    format!("served in {}", time(wait)),
                    format!("{} 만에 처리됨", time(wait)),
                ),
                None => say("not served".into(), "처리되지 않음".into()),
            };
            let opened = idle.opened.max(1) as f64;
            let per = |now: u64, then: u64| {
                let kib = now.saturating_sub(then) as f64 / opened;
                format!("{kib:.1} KiB")
            };
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} | {served} | {} | {} | {} | {} | {} |",
                model(row.subject.model, korean),
                language(row.subject.language),
                thousands(idle.asked as u64),
                thousands(idle.opened as u64),
                thousands(idle.usage.threads),
                mib(idle.usage.rss_kib),
                thousands(idle.usage.descriptors),
                per(idle.usage.rss_kib, idle.base.rss_kib),
                per(idle.usage.virtual_kib, idle.base.virtual_kib),
            );
        }
    }
    let (interval, fast) = (time(settings.slow_interval), settings.slow_fast);
    let caption = say(
        format!(
            "A slow client sends one byte every {interval}; meanwhile another \
             client makes {fast} exchanges: its longest wait"
        ),
        format!(
            "느린 클라이언트가 {interval}마다 한 바이트씩 보내는 동안, 다른 \
             클라이언트가 교환을 {fast}번 합니다. 그 클라이언트가 가장 오래 \
             기다린 시간"
        ),
    );
    let _ = writeln!(t, "\n{caption}\n");
    t.push_str(&say(
        "| Model | Language | Other client's longest wait | Held up |\n".into(),
        "| 모델 | 언어 | 다른 클라이언트의 가장 긴 대기 | 붙잡혔는가 |\n"
            .into(),
    ));
    t.push_str("|---|---|---:|---|\n");
    for row in rows {
        let (wait, held) = match row.slow {
            Some(w) => (time(w), w > settings.slow_interval / 2),
            None => (say("timed out".into(), "시간 초과".into()), true),
        };
        let held = match (held, korean) {
            (true, false) => "yes",
            (false, false) => "no",
            (true, true) => "예",
            (false, true) => "아니요",
        };
        let _ = writeln!(
            t,
            "| {} | {} | {wait} | {held} |",
            model(row.subject.model, korean),
            language(row.subject.language),
        );
    }
    t
}
