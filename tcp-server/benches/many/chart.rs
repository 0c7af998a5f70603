//! The chart of a full run, as SVG text: replies per second under each
//! load, and a new client's wait among the most idle connections.
use std::fmt::Write;

use crate::Row;
use crate::table::{thousands, time};

struct Words {
    title: &'static str,
    load: &'static str,
    clients: [&'static str; 3],
    idle: &'static str,
    not_served: &'static str,
    models: [(&'static str, &'static str); 5],
}

const EN: Words = Words {
    title: "Serving many clients: five models, Rust and Python",
    load: "Good replies per second, clients back to back",
    clients: ["1 client", "10 clients", "100 clients"],
    idle: "A new client's wait with {} idle connections open (log scale)",
    not_served: "not served within 2 s",
    models: [
        ("iterative", "iterative"),
        ("thread per connection", "thread per connection"),
        ("pool of 4 threads", "pool of 4 threads"),
        ("readiness loop", "readiness loop"),
        ("async tasks", "async tasks"),
    ],
};

const KO: Words = Words {
    title: "여러 클라이언트를 동시에 처리하는 다섯 가지 모델, 러스트와 파이썬",
    load: "초당 정상 응답 수, 클라이언트가 쉬지 않고 요청할 때",
    clients: ["클라이언트 1개", "10개", "100개"],
    idle: "유휴 연결 {}개가 열려 있을 때 새 클라이언트가 기다린 시간(로그 눈금)",
    not_served: "2초 안에 처리되지 않음",
    models: [
        ("iterative", "반복 서버"),
        ("thread per connection", "연결마다 스레드"),
        ("pool of 4 threads", "스레드 4개 풀"),
        ("readiness loop", "준비 상태 루프"),
        ("async tasks", "비동기 태스크"),
    ],
};

const BLUES: [&str; 3] = ["#9ecae1", "#4292c6", "#08519c"];

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn svg(rows: &[Row], language: &str, machine: &str) -> String {
    let words = if language == "ko" { &KO } else { &EN };
    let (width, label, bars) = (820.0, 230.0, 470.0);
    let name = |row: &Row| {
        let model = words
            .models
            .iter()
            .find(|(en, _)| *en == row.subject.model)
            .map_or(row.subject.model, |(_, here)| here);
        format!("{model} · {}", row.subject.language)
    };
    let mut body = String::new();
    let mut y = 60.0;
    // Panel 1: grouped bars, one group per server, one bar per load
    let _ = writeln!(
        body,
        r#"<text x="10" y="{y}" class="h">{}</text>"#,
        escape(words.load)
    );
    y += 10.0;
    for (i, client) in words.clients.iter().enumerate() {
        let x = label + i as f64 * 150.0;
        let _ = writeln!(
            body,
            r#"<rect x="{x}" y="{y}" width="12" height="10" fill="{}"/><text x="{}" y="{}">{}</text>"#,
            BLUES[i],
            x + 16.0,
            y + 9.0,
            escape(client)
        );
    }
    y += 22.0;
    let most = rows
        .iter()
        .flat_map(|row| row.loads.iter().map(|(_, l)| l.per_second))
        .fold(1.0, f64::max);
    for row in rows {
        let _ = writeln!(
            body,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            label - 8.0,
            y + 20.0,
            escape(&name(row))
        );
        for (i, (_, load)) in row.loads.iter().enumerate() {
            let w = (load.per_second / most * bars).max(1.0);
            let by = y + i as f64 * 11.0;
            let _ = writeln!(
                body,
                r#"<rect x="{label}" y="{by}" width="{w:.1}" height="10" fill="{}"/><text x="{:.1}" y="{}" class="v">{}</text>"#,
                BLUES[i % 3],
                label + w + 4.0,
                by + 9.0,
                thousands(load.per_second.round() as u64)
            );
        }
        y += 40.0;
    }
    // Panel 2: the new client's wait at the largest idle count, log scale
    y += 24.0;
    let level = rows
        .first()
        .and_then(|row| row.idle.last())
        .map_or(0, |idle| idle.asked);
    let title = words.idle.replace("{}", &thousands(level as u64));
    let _ = writeln!(
        body,
        r#"<text x="10" y="{y}" class="h">{}</text>"#,
        escape(&title)
    );
    y += 14.0;
    // 10 µs at the left edge, 10 s at the right: six decades
    let log_x = |seconds: f64| {
        let decades = (seconds.max(1e-5).log10() + 5.0).clamp(0.0, 6.0);
        label + decades / 6.0 * bars
    };
    for (i, tick) in
        ["10 µs", "100 µs", "1 ms", "10 ms", "100 ms", "1 s", "10 s"]
            .iter()
            .enumerate()
    {
        let x = label + i as f64 / 6.0 * bars;
        let _ = writeln!(
            body,
            r#"<line x1="{x:.1}" y1="{y}" x2="{x:.1}" y2="{}" class="g"/><text x="{x:.1}" y="{}" class="t">{tick}</text>"#,
            y + rows.len() as f64 * 20.0 + 4.0,
            y + rows.len() as f64 * 20.0 + 16.0
        );
    }
    for row in rows {
        let _ = writeln!(
            body,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            label - 8.0,
            y + 13.0,
            escape(&name(row))
        );
        let served = row.idle.last().and_then(|idle| idle.served);
        let (w, fill, value) = match served {
            Some(wait) => {
                (log_x(wait.as_secs_f64()) - label, "#4292c6", time(wait))
            }
            None => (bars, "#d6604d", words.not_served.to_string()),
        };
        let _ = writeln!(
            body,
            r#"<rect x="{label}" y="{}" width="{:.1}" height="12" fill="{fill}"/><text x="{:.1}" y="{}" class="v">{}</text>"#,
            y + 3.0,
            w.max(1.0),
            label + w.max(1.0) + 4.0,
            y + 13.0,
            escape(&value)
        );
        y += 20.0;
    }
    y += 40.0;
    let _ = writeln!(
        body,
        r#"<text x="10" y="{}" class="t">{}</text>"#,
        y - 10.0,
        escape(machine)
    );
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y}" viewBox="0 0 {width} {y}" font-family="sans-serif" font-size="12">
<style>.h{{font-weight:bold}} .v{{font-size:10px}} .t{{font-size:10px;fill:#555}} .g{{stroke:#ddd}}</style>
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="28" font-size="16" font-weight="bold">{}</text>
{body}</svg>
"#,
        escape(words.title)
    )
}
